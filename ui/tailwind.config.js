// The Temporal UI's own theme. The package's exports offer only `import` conditions for its
// files, so the plugin is loaded by file path.
import defaultTheme from 'tailwindcss/defaultTheme';
import temporal, { textStyles } from './node_modules/@temporalio/ui/dist/theme/plugin.js';

export default {
  content: ['./src/**/*.{html,js,svelte}', './node_modules/@temporalio/ui/dist/**/*.{html,js,svelte}'],
  darkMode: ['selector', '[data-theme="dark"]'],
  theme: {
    fontFamily: {
      sans: ['Inter', ...defaultTheme.fontFamily.sans],
      mono: ['Noto Sans Mono', ...defaultTheme.fontFamily.mono],
    },
    extend: {
      animation: { 'spin-slow': 'spin 3s linear infinite' },
      zIndex: { 100: '100' },
    },
  },
  plugins: [temporal, textStyles],
};
