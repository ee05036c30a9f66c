import { isAbsolute, resolve } from 'node:path';
import { builtInCategories } from '../../plugins';
import { toolkit, type CategoryDefinition } from '../../plugins/sdk';
import { CategoryRegistry, PluginValidationError } from './category-registry';

/**
 * Loads one NEAR_MISS_PLUGINS entry: a package name or a path. The module may
 * export a definition, an array of them, or a factory `(toolkit) => ...` that
 * receives the core's own zod and `defineCategory` (the way for plugins that
 * live outside this repository).
 */
export function loadPluginModule(specifier: string, cwd = process.cwd()): CategoryDefinition[] {
  const target = specifier.startsWith('.') || isAbsolute(specifier) ? resolve(cwd, specifier) : specifier;
  let exported: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exported = require(require.resolve(target, { paths: [cwd] }));
  } catch (error) {
    throw new PluginValidationError(specifier, [`cannot be loaded: ${(error as Error).message.split('\n')[0]}`]);
  }
  let value = (exported as { default?: unknown })?.default ?? exported;
  if (typeof value === 'function') {
    try {
      value = (value as (kit: typeof toolkit) => unknown)(toolkit);
    } catch (error) {
      throw new PluginValidationError(specifier, [`its factory threw: ${(error as Error).message}`]);
    }
  }
  const definitions = Array.isArray(value) ? value : [value];
  if (definitions.length === 0) throw new PluginValidationError(specifier, ['exports no category']);
  return definitions as CategoryDefinition[];
}

/** Built-ins plus configured plugins, validated together: any problem stops the start. */
export function loadCategoryRegistry(pluginSpecifiers: string[], cwd = process.cwd()): CategoryRegistry {
  return new CategoryRegistry([
    ...builtInCategories.map((definition) => ({ definition, source: 'built-in' })),
    ...pluginSpecifiers.flatMap((specifier) =>
      loadPluginModule(specifier, cwd).map((definition) => ({ definition, source: specifier })),
    ),
  ]);
}
