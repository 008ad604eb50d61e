/** The registry as GET /api/mcp/registry serves it: what the studio needs to ask for and to preview. */
import type { McpArgumentInfo, McpInputInfo, McpRegistryServer } from '../wire/mcp.js';
import { argumentKey, fixedValue, packageOf, remoteOf, runtimeOf } from './launch.js';
import type { RegistryArgument, RegistryKeyValueInput, RegistryPackage, RegistryServer } from './registry.js';

function inputInfo(d: RegistryKeyValueInput): McpInputInfo {
  return {
    name: d.name,
    description: d.description ?? '',
    required: d.isRequired ?? false,
    secret: d.isSecret ?? false,
    format: d.format ?? 'string',
    ...(d.default !== undefined && { default: d.default }),
    ...(d.placeholder !== undefined && { placeholder: d.placeholder }),
    ...(d.choices !== undefined && { choices: d.choices }),
    ...(d.value !== undefined && d.variables !== undefined && { template: d.value }),
  };
}

function argumentInfo(arg: RegistryArgument, index: number): McpArgumentInfo {
  return {
    key: argumentKey(arg, index),
    kind: arg.type,
    description: arg.description ?? '',
    required: arg.isRequired ?? false,
    secret: arg.isSecret ?? false,
    format: arg.format ?? 'string',
    repeated: arg.isRepeated ?? false,
    ...(arg.default !== undefined && { default: arg.default }),
    ...(arg.placeholder !== undefined && { placeholder: arg.placeholder }),
    ...(arg.choices !== undefined && { choices: arg.choices }),
    ...(fixedValue(arg) !== undefined && { fixed: fixedValue(arg) }),
  };
}

/** The stdio command as the studio previews it: defaults shown as written (`~` unexpanded), `<hint>` for what the user must give. */
function launchPreview(pkg: RegistryPackage): { command: string; args: string[] } {
  const env = (pkg.environmentVariables ?? []).filter((e) => e.isRequired).map((e) => e.name);
  const runtime = runtimeOf(pkg, env);
  const args = (pkg.packageArguments ?? []).flatMap((arg, i) => {
    const value = fixedValue(arg) ?? arg.default ?? (arg.isRequired ? `<${argumentKey(arg, i)}>` : undefined);
    if (value === undefined) return [];
    if (arg.type === 'positional') return [value];
    return arg.format === 'boolean' ? [arg.name] : [arg.name, value];
  });
  return { command: runtime.command, args: [...runtime.args, ...args] };
}

/** One registry server as GET /api/mcp/registry answers it. */
export function registryView(server: RegistryServer): McpRegistryServer {
  const pkg = packageOf(server);
  const remote = remoteOf(server);
  return {
    id: server.id,
    title: server.title,
    name: server.name,
    description: server.description,
    status: server.status,
    version: server.version,
    repository: server.repository.url,
    transports: [...(pkg ? (['stdio'] as const) : []), ...(remote ? (['remote'] as const) : [])],
    ...(pkg && { package: { registry_type: pkg.registryType, identifier: pkg.identifier, version: pkg.version ?? server.version }, launch: launchPreview(pkg) }),
    ...(remote && { remote: { type: remote.type === 'sse' ? ('sse' as const) : ('http' as const), url: remote.url } }),
    env: (pkg?.environmentVariables ?? []).map(inputInfo),
    args: (pkg?.packageArguments ?? []).map(argumentInfo),
    headers: (remote?.headers ?? []).map(inputInfo),
  };
}
