package main

import (
	"os/exec"
	"syscall"
)

// maxrss is the peak resident set of a finished child, in MiB.
func maxrss(cmd *exec.Cmd) float64 {
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) / 1024
	}
	return 0
}
