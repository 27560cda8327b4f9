//go:build !linux

package worker

import "os/exec"

// dieWithParent does nothing where the kernel offers no parent-death
// signal: a worker then ends when its input does, after its current job.
func dieWithParent(*exec.Cmd) {}

// residentMemory is not reported here: jobs' memory ceilings are not
// enforced.
func residentMemory(int) (int64, bool) { return 0, false }
