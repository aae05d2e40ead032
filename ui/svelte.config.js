// The Temporal UI as a static single-page app: every route renders in the browser, and the
// engine serves index.html for any path that is not a file (the fallback below).
import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: false }),
    prerender: { entries: [] },
  },
};
