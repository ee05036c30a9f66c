import { Foundation1763900000000 } from './1763900000000-Foundation';
import { Lifecycle1763900001000 } from './1763900001000-Lifecycle';
import { WebhookDelivery1763900002000 } from './1763900002000-WebhookDelivery';
import { AuditChain1763900003000 } from './1763900003000-AuditChain';
import { CorrectiveActions1763900004000 } from './1763900004000-CorrectiveActions';
import { SimilarityKey1763900004500 } from './1763900004500-SimilarityKey';
import { Patterns1763900005000 } from './1763900005000-Patterns';
import { PatternIndexes1763900006000 } from './1763900006000-PatternIndexes';
import { Retention1763900007000 } from './1763900007000-Retention';
import { TenantIsolation1763900008000 } from './1763900008000-TenantIsolation';
import { RepeatScan1763900009000 } from './1763900009000-RepeatScan';
import { OneSimilarityIndex1763900010000 } from './1763900010000-OneSimilarityIndex';
import { SimilarityKeyLocks1763900011000 } from './1763900011000-SimilarityKeyLocks';
import { WorkerRoles1763900013000 } from './1763900013000-WorkerRoles';
import { ReporterIdentity1763900014000 } from './1763900014000-ReporterIdentity';
import { MonitorRole1763900014500 } from './1763900014500-MonitorRole';
import { Notifications1763900015000 } from './1763900015000-Notifications';
import { GovernanceRecords1763900016000 } from './1763900016000-GovernanceRecords';
import { SealedWebhookSecrets1763900012400 } from './1763900012400-SealedWebhookSecrets';
import { Interoperability1763900020000 } from './1763900020000-Interoperability';
import { NearMissAmendment1763900021000 } from './1763900021000-NearMissAmendment';
import { ContributingFactorCodes1763900022000 } from './1763900022000-ContributingFactorCodes';
import { RecurrenceScope1763900023000 } from './1763900023000-RecurrenceScope';
import { WeakOnlyOverride1763900024000 } from './1763900024000-WeakOnlyOverride';
import { ActionTarget1763900025000 } from './1763900025000-ActionTarget';

/** Every migration, in order. Never edit one that has landed: add a new one. */
export const migrations = [
  Foundation1763900000000,
  Lifecycle1763900001000,
  WebhookDelivery1763900002000,
  AuditChain1763900003000,
  CorrectiveActions1763900004000,
  SimilarityKey1763900004500,
  Patterns1763900005000,
  PatternIndexes1763900006000,
  Retention1763900007000,
  TenantIsolation1763900008000,
  RepeatScan1763900009000,
  OneSimilarityIndex1763900010000,
  SimilarityKeyLocks1763900011000,
  SealedWebhookSecrets1763900012400,
  WorkerRoles1763900013000,
  ReporterIdentity1763900014000,
  MonitorRole1763900014500,
  Notifications1763900015000,
  GovernanceRecords1763900016000,
  Interoperability1763900020000,
  NearMissAmendment1763900021000,
  ContributingFactorCodes1763900022000,
  RecurrenceScope1763900023000,
  WeakOnlyOverride1763900024000,
  ActionTarget1763900025000,
];
