//go:build !linux

package diskblob

import "os"

func openFolder(*os.Root) *os.File { return nil }

// open opens name in the folder as the object under key.
func (d *folder) open(key, name string) (*object, error) {
	return openRoot(d.root, key, name)
}
