// `bun run build`: each service bundled into .build/ (scripts/infra/bundles.ts), what the systemd
// units run; `bun run start` and bench/memory.ts build by themselves. Run it again after every
// checkout of new code (docs/operations.md, "Upgrade").
import { BuildError, buildBundles } from './infra/bundles.ts'

try {
  const t0 = performance.now()
  const built = await buildBundles()
  console.log(`built ${built.join(', ')} in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
} catch (e) {
  console.error(e instanceof BuildError ? `build failed: ${e.message}` : e)
  process.exit(1)
}
