import {defineConfig} from 'vite';
import preact from '@preact/preset-vite';

// The server embeds dist/ and serves it with `script-src 'self'`, so the build must never
// inline scripts (Vite's module preload polyfill is an inline script in some modes).
export default defineConfig({
    plugins: [preact()],
    build: {
        target: 'es2022',
        modulePreload: {polyfill: false},
        assetsInlineLimit: 0,
        sourcemap: false,
        chunkSizeWarningLimit: 600,
    },
    server: {
        proxy: {
            '/api': {target: 'http://127.0.0.1:8065', ws: true},
        },
    },
    test: {
        environment: 'jsdom',
        include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    },
});
