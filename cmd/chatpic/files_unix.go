//go:build unix

package main

import "syscall"

// raiseOpenFiles raises this process's soft limit of open files to its
// hard limit (a server holds a socket per client, and the default soft
// limit is often 1024) and returns the limit in force.
func raiseOpenFiles() (int, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	if l.Cur < l.Max {
		want := l
		want.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err == nil {
			l = want
		}
	}
	return int(min(l.Cur, 1<<24)), nil
}
