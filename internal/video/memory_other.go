//go:build !unix

package video

import "github.com/tetratelabs/wazero/experimental"

func newLinearMemory(cap, _ uint64) experimental.LinearMemory {
	return &heapMemory{buf: make([]byte, 0, cap)}
}
