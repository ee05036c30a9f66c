import type { Logger } from '../common/logger';
import type { RegisteredCategory } from './category-registry';

/**
 * A report's details in the shape its category has today: stored details of
 * an older category version go through the plugin's `upgradeDetails`. When
 * the plugin has none, is no longer installed, or its upgrade throws, the
 * details are returned as stored so an old report always stays readable.
 */
export function currentDetails(
  registered: RegisteredCategory | undefined,
  stored: Record<string, unknown>,
  storedVersion: number,
  logger?: Logger,
): Record<string, unknown> {
  const definition = registered?.definition;
  if (!definition?.upgradeDetails || storedVersion >= definition.version) return stored;
  try {
    const upgraded = definition.upgradeDetails(structuredClone(stored), storedVersion);
    if (upgraded && typeof upgraded === 'object' && !Array.isArray(upgraded)) return upgraded;
    logger?.warn('category upgradeDetails returned no object; stored details shown', {
      category: definition.key,
      storedVersion,
    });
  } catch (error) {
    logger?.warn('category upgradeDetails failed; stored details shown', {
      category: definition.key,
      storedVersion,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return stored;
}
