/** Types of the API's JSON answers, derived from the presenters and shared with the dashboard (types only). */
import type { eventView, releaseDetailView, releaseView, targetView } from './presenters.js';
import type { evaluationView, regionGateView } from './gate-presenters.js';
import type { operationView, regionView } from './region-presenters.js';
import type { deliveryView } from './notification-presenter.js';
import type { entryView } from './audit.controller.js';
import type { WhoamiController } from './whoami.controller.js';
import type { drillEventView, drillView, timeToSmokeView, trendView } from './learning-presenters.js';
import type { PlanProposal } from '#application';

export type ReleaseView = ReturnType<typeof releaseView>;
export type ReleaseDetailView = ReturnType<typeof releaseDetailView>;
export type StageView = ReleaseDetailView['stages'][number];
export type TargetView = ReturnType<typeof targetView>;
export type EventView = ReturnType<typeof eventView>;
export type RegionGateView = ReturnType<typeof regionGateView>;
export type EvaluationView = ReturnType<typeof evaluationView>;
export type RegionView = ReturnType<typeof regionView>;
export type OperationView = ReturnType<typeof operationView>;
export type DeliveryView = ReturnType<typeof deliveryView>;
export type WhoamiView = ReturnType<WhoamiController['whoami']>;
/** The data of a `change` message of GET /v1/stream. */
export interface StreamChangeView {
  event: EventView;
  release: ReleaseView;
  target: TargetView | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
export interface GatesView {
  gates: RegionGateView[];
  evaluations: EvaluationView[];
  nextAfter: string | null;
}
export interface ActionResultView {
  release: ReleaseView;
  message: string;
}
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  state?: string;
  errors?: Array<{ field: string; message: string }>;
}
export type AuditEntryView = ReturnType<typeof entryView>;
/** Learning from history (issue 12): time-to-smoke, plan proposals, drills. */
export type TimeToSmokeView = ReturnType<typeof timeToSmokeView>;
export type SmokeGroupView = TimeToSmokeView['overall'];
export type SmokeRecommendationView = SmokeGroupView['recommendations']['twiceMean'];
export type PlanProposalView = PlanProposal;
export type DrillView = ReturnType<typeof drillView>;
export type DrillTrendView = ReturnType<typeof trendView>;
export type DrillDetailView = DrillView & { events: Array<ReturnType<typeof drillEventView>> };
export interface DrillsView {
  items: DrillView[];
  trend: DrillTrendView[];
}
export interface DrillStartedView {
  drill: DrillView;
  message: string;
}
