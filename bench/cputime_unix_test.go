//go:build unix

package bench_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used, user and system: unlike
// wall time, other processes on the machine do not inflate it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
