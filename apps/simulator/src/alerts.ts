/** Alerts a test raises per region; exported as `sim_region_alert{region, alert}` 0/1. */
export interface RegionAlert {
  region: string;
  alert: string;
  firing: boolean;
}

export class RegionAlerts {
  /** region → alert → firing; an alert once set keeps its series (0 when cleared). */
  private alerts = new Map<string, Map<string, boolean>>();

  constructor(private readonly regions: readonly string[]) {}

  set(region: string, alert: string, firing: boolean): RegionAlert {
    let m = this.alerts.get(region);
    if (!m) {
      m = new Map();
      this.alerts.set(region, m);
    }
    m.set(alert, firing);
    return { region, alert, firing };
  }

  clear(): void {
    this.alerts.clear();
  }

  list(): RegionAlert[] {
    const out: RegionAlert[] = [];
    for (const region of this.regions) {
      const m = this.alerts.get(region);
      if (!m) continue;
      for (const alert of [...m.keys()].sort()) out.push({ region, alert, firing: m.get(alert) === true });
    }
    return out;
  }
}
