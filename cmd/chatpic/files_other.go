//go:build !unix

package main

// raiseOpenFiles assumes a modest limit where there is no rlimit to read.
func raiseOpenFiles() (int, error) { return 4096, nil }
