import type Router from '@koa/router';
import type { AppServices } from './services.js';
import type { Guards } from './http/guards.js';
import type { Sandbox } from './sandbox/types.js';
import { PortalService } from './portal/portal-service.js';
import { apiRoutes } from './portal/api-routes.js';
import { staffRoutes } from './policy-state/staff-routes.js';
import { notifyRoutes } from './notify/routes.js';
import { uiRoutes } from './ui/ui-routes.js';
import { assetRoutes } from './ui/assets.js';
import { landingRoutes } from './ui/landing-routes.js';

/** The patient-facing feature routers, in the order they are mounted. */
export function featureRouters(sandbox: Sandbox | undefined): ((s: AppServices, g: Guards) => Router)[] {
  const portal = new PortalService();
  return [apiRoutes(portal), staffRoutes, notifyRoutes, landingRoutes(sandbox), (s, g) => uiRoutes(s, g, portal), () => assetRoutes()];
}
