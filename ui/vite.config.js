import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  define: {
    // @temporalio/ui reads its API origin from VITE_API; empty = the page's own origin,
    // where the engine answers /api/v1/… (as Temporal's UI server does).
    'import.meta.env.VITE_API': JSON.stringify(''),
  },
  build: {
    // monaco-editor and the UI's pages are large by nature; the warning says nothing useful here.
    chunkSizeWarningLimit: 8000,
    reportCompressedSize: false,
  },
});
