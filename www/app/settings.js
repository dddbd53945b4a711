// The page's state: every change goes through app.setState, which writes the URL and tells the panels;
// config keys through app.setConfig; methods a synthetic teacher cannot serve are left out with a notice.

import { resolvedConfig, overridesObject, withConfig, toQuery } from '../state.js';
import { methodLabel } from '../palette.js';
import { unmet } from '../requirements.js';

/** Adds app.config, setState, setConfig, setPageKey, requestOverrides, withoutBlockedMethods, blockedNotice, writeUrl, writeUrlNow. */
export function installSettings(app) {
  app.config = () => resolvedConfig(app.state, app.scenarioConfigs);

  app.setState = (next, { rebuild = true, autoplay } = {}) => {
    const { state, dropped } = withoutBlockedMethods(next);
    if (dropped.length) app.notice(blockedNotice(dropped));
    app.state = state;
    app.writeUrl();
    for (const p of app.panels) p.syncState?.(app.state, app.config());
    if (rebuild) app.requestBuild({ autoplay });
  };

  app.setConfig = (path, value) => {
    app.clearError();
    app.setState(withConfig(app.state, path, value, app.scenarioConfigs));
  };

  /**
   * Methods whose requirements (the engine's, e.g. VID's trained teacher with a hidden layer) this
   * config does not meet: the engine refuses them, so they leave the state rather than fail the run.
   * Returns {state, dropped: [{name, reason}]}.
   */
  function withoutBlockedMethods(state) {
    if (!app.engineReady) return { state, dropped: [] };
    const info = app.catalogue.methods?.info ?? {};
    const cfg = resolvedConfig(state, app.scenarioConfigs);
    const methods = cfg.methods ?? [];
    const dropped = methods.map((m) => ({ name: m, missing: unmet(info[m]?.requires, cfg) })).filter((d) => d.missing);
    if (!dropped.length) return { state, dropped };
    const kept = methods.filter((m) => !dropped.some((d) => d.name === m));
    return { state: withConfig(state, 'methods', kept.length ? kept : ['vanilla', 'slam'], app.scenarioConfigs), dropped };
  }
  app.withoutBlockedMethods = withoutBlockedMethods;

  /** The config overrides a build or a multi-seed run sends: the state's, never a method the teacher cannot serve. */
  app.requestOverrides = () => overridesObject(withoutBlockedMethods(app.state).state);

  /** Page-only keys (speed, seeds, lesson) change without a rebuild. */
  app.setPageKey = (key, value) => {
    app.setState({ ...app.state, [key]: value }, { rebuild: false });
  };

  app.writeUrl = function writeUrl() {
    if (!app.engineReady) return;
    const query = toQuery(app.state, app.scenarioConfigs);
    if (query !== location.search) history.replaceState(null, '', query + location.hash);
  }

  /** "VID and LELP need a trained teacher ... so they were left out." for methods dropped from a link or the settings JSON. */
  function blockedNotice(dropped) {
    const byReason = new Map();
    for (const d of dropped) byReason.set(d.missing.reason, [...(byReason.get(d.missing.reason) ?? []), methodLabel(d.name)]);
    return [...byReason].map(([reason, names]) => {
      const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0];
      return `${list} need${names.length > 1 ? '' : 's'} ${reason}, so ${names.length > 1 ? 'they were' : 'it was'} left out.`;
    }).join(' ');
  }
  app.blockedNotice = blockedNotice;

  app.writeUrlNow = function writeUrlNow() {
    const query = toQuery(app.state, app.scenarioConfigs);
    history.replaceState(null, '', query + location.hash);
  }
}
