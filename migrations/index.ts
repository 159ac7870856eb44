/** Every migration, in order. New migrations are appended here. */
import { Init1763780000000 } from './1763780000000-init.js';
import { Gates1763860000000 } from './1763860000000-gates.js';
import { Notifications1763870000000 } from './1763870000000-notifications.js';
import { Approvals1763940000000 } from './1763940000000-approvals.js';
import { RegionOperations1763950000000 } from './1763950000000-region-operations.js';
import { GateNotes1796171479893 } from './1796171479893-gate-notes.js';
import { Drills1796171642320 } from './1796171642320-drills.js';
import { ReleaseListIndex1796200000000 } from './1796200000000-release-list-index.js';
import { GateEvaluationDue1796300000000 } from './1796300000000-gate-evaluation-due.js';
import { HotUpdates1796400000000 } from './1796400000000-hot-updates.js';
import { CreateInOneRoundTrip1796500000000 } from './1796500000000-create-in-one-round-trip.js';
import { CreateGenericPlan1796600000000 } from './1796600000000-create-generic-plan.js';
import { CreateJsonBatch1796700000000 } from './1796700000000-create-json-batch.js';
import { TargetsWhenStarted1796800000000 } from './1796800000000-targets-when-started.js';

export const MIGRATIONS = [
  Init1763780000000,
  Gates1763860000000,
  Notifications1763870000000,
  Approvals1763940000000,
  RegionOperations1763950000000,
  GateNotes1796171479893,
  Drills1796171642320,
  ReleaseListIndex1796200000000,
  GateEvaluationDue1796300000000,
  HotUpdates1796400000000,
  CreateInOneRoundTrip1796500000000,
  CreateGenericPlan1796600000000,
  CreateJsonBatch1796700000000,
  TargetsWhenStarted1796800000000,
];
