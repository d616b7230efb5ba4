// bun test fires no 'exit' event, so what a test run must clean up (its PostgreSQL, the compiled
// CLI) registers here; the preload's afterAll runs it once, after the last test of the run.
type Task = () => unknown
const tasks: Task[] = []

export function atRunEnd(task: Task) {
  tasks.push(task)
}

export async function runEndTasks() {
  for (const task of tasks.splice(0)) {
    try {
      await task()
    } catch (e) {
      console.error(`cleanup after the test run failed: ${(e as Error).message}`)
    }
  }
}
