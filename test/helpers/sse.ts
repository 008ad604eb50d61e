/** Reads a `text/event-stream` response whole into its `data:` events (JSON-parsed). */
export async function readSse<T = any>(res: Response): Promise<T[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .map((block) => block.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n'))
    .filter((data) => data.length > 0)
    .map((data) => JSON.parse(data) as T);
}
