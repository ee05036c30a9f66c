import DataLoader from 'dataloader';
import type { TenantDatabase } from '../database/tenant-scope';
import { loadAmendments, type StoredAmendment } from '../near-misses/amend-near-miss.repository';
import { loadGateCompletions, type GateCompletion } from '../gates/gate-completion.repository';
import { loadFeedback, type FeedbackRecord } from '../status-changes/reporter-feedback.repository';
import { loadLatestTriages, type TriageRecord } from './triage.repository';
import { loadNotifications, type NotificationRecord } from '../notifications/notification.repository';

/** Per-request loaders for what the learning loop adds to a near miss: one statement per batch each. */
export function createLifecycleLoaders(tenantId: string, db: TenantDatabase) {
  return {
    triage: new DataLoader<string, TriageRecord | null>((ids) => db.read((tx) => loadLatestTriages(tx, tenantId, ids))),
    gateCompletions: new DataLoader<string, GateCompletion[]>((ids) =>
      db.read((tx) => loadGateCompletions(tx, tenantId, ids)),
    ),
    feedback: new DataLoader<string, FeedbackRecord[]>((ids) => db.read((tx) => loadFeedback(tx, tenantId, ids))),
    notifications: new DataLoader<string, NotificationRecord[]>((ids) =>
      db.read((tx) => loadNotifications(tx, tenantId, ids)),
    ),
    amendments: new DataLoader<string, StoredAmendment[]>(async (ids) => {
      const rows = await db.read((tx) => loadAmendments(tx, tenantId, ids));
      return ids.map((id) => rows.filter((row) => row.nearMissId === id));
    }),
  };
}

export type LifecycleLoaders = ReturnType<typeof createLifecycleLoaders>;
