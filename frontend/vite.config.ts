import { defineConfig } from "vite";

// The UI is embedded in the Go binary (frontend/dist): no CDN, no runtime fetches.
export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true, // the build script puts dist/.gitkeep back for go:embed
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:7780" },
  },
});
