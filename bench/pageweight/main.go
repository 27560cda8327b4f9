// Command pageweight writes n small distinct PNG pictures into a folder,
// for bench/pageweight.sh.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/chatpic/chatpic/internal/mediatest"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: pageweight DIR N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err == nil {
		err = os.MkdirAll(os.Args[1], 0o755)
	}
	for i := 0; err == nil && i < n; i++ {
		err = os.WriteFile(filepath.Join(os.Args[1], fmt.Sprintf("p%03d.png", i)),
			mediatest.EncodePNG(mediatest.Scene(320, 240, uint64(i)+1)), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pageweight:", err)
		os.Exit(1)
	}
}
