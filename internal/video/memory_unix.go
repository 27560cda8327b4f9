//go:build unix

package video

import (
	"math"
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// newLinearMemory backs a WebAssembly instance's memory with an anonymous
// mapping of its maximum size, which the kernel fills only as pages are
// touched and which is returned to the system whole when the instance
// closes. wazero's default grows a Go slice by copying, which left
// hundreds of megabytes of garbage per clip on the Go heap. If the mapping
// cannot be made it falls back to that default.
func newLinearMemory(_, max uint64) experimental.LinearMemory {
	if max > math.MaxInt {
		return &heapMemory{}
	}
	b, err := syscall.Mmap(-1, 0, int(max), syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		return &heapMemory{}
	}
	return &mappedMemory{buf: b[:0]}
}

type mappedMemory struct{ buf []byte }

func (m *mappedMemory) Reallocate(size uint64) []byte {
	if size > uint64(cap(m.buf)) {
		return nil
	}
	m.buf = m.buf[:size]
	return m.buf
}

func (m *mappedMemory) Free() {
	if cap(m.buf) > 0 {
		_ = syscall.Munmap(m.buf[:cap(m.buf)])
		m.buf = nil
	}
}
