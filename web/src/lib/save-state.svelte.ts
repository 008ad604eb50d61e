/** The part every form's submit shares: a busy flag, and a refusal mapped onto the fields. */
import { formErrors, NO_ERRORS, type FormErrors } from './forms';

export class SaveState {
  saving = $state(false);
  errors = $state<FormErrors>(NO_ERRORS);
  readonly #fields: readonly string[];

  /** `fields`: the names the form shows, so the server's issues land next to them. */
  constructor(fields: readonly string[]) {
    this.#fields = fields;
  }

  /** Shows problems found before sending; nothing is sent. */
  refuse(fields: Record<string, string>): void {
    this.errors = { message: '', fields };
  }

  /**
   * Runs a save and reports whether it went through. `mapErrors` may move an issue onto the
   * field that shows it (the server names `detach_grace_s`, the form shows minutes).
   */
  async run(save: () => Promise<void>, mapErrors: (found: FormErrors) => FormErrors = (found) => found): Promise<boolean> {
    this.saving = true;
    this.errors = NO_ERRORS;
    try {
      await save();
      return true;
    } catch (err) {
      this.errors = mapErrors(formErrors(err, this.#fields));
      return false;
    } finally {
      this.saving = false;
    }
  }
}
