import { redirect } from '@sveltejs/kit';
import { routeForWorkflows } from '@temporalio/ui/utilities/route-for';

export async function load({ parent }) {
  const data = await parent();
  redirect(302, routeForWorkflows({ namespace: data.settings.defaultNamespace }));
}
