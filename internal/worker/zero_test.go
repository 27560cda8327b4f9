package worker

import "syscall"

var syscallZero = syscall.Signal(0)
