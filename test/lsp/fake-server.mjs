// A minimal language server over stdio for the handshake tests. argv[2] picks its behaviour:
// "ok" asks the client for configuration, then answers initialize with serverInfo and a few
// providers; "refuse" answers initialize with an error; "stall-shutdown" never answers shutdown.
import {
  createProtocolConnection,
  ExitNotification,
  InitializeRequest,
  ResponseError,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';

const mode = process.argv[2] ?? 'ok';
const connection = createProtocolConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));

connection.onRequest(InitializeRequest.type, async (params) => {
  if (mode === 'refuse') throw new ResponseError(-32603, `no workspace for ${params.clientInfo?.name}`);
  const config = await connection.sendRequest('workspace/configuration', { items: [{ section: 'fake' }] });
  return {
    capabilities: { textDocumentSync: 1, hoverProvider: true, completionProvider: { triggerCharacters: ['.'] }, definitionProvider: false, renameProvider: Array.isArray(config) },
    serverInfo: { name: 'fake-ls', version: '1.2.3' },
  };
});
connection.onRequest(ShutdownRequest.type, () => (mode === 'stall-shutdown' ? new Promise(() => {}) : null));
connection.onNotification(ExitNotification.type, () => process.exit(0));
connection.listen();
