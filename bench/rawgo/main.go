// Command rawgo serves a folder's files over HTTP/1.1 with no net/http at
// all: a goroutine per connection reads each request line and its headers,
// opens the file, writes a fixed header and sends the file with sendfile
// (io.Copy to the TCP connection). It does nothing else: no header
// parsing beyond the request line, no conditional or range requests, no
// logging. bench/serve.sh runs it beside chatpic, nginx and Go's
// http.FileServer on the same bytes, to show how fast any Go server can
// serve a file on the machine, with or without net/http.
//
//	rawgo -addr 127.0.0.1:8082 -root www
//
// Paths are mapped to files as bench/staticgo maps them.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"io"
	"log"
	"net"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"time"
)

var named = map[string]string{
	"/":                                  "/index.html",
	"/c/photography":                     "/c/photography.html",
	"/api/v1/channels/photography/posts": "/api/posts.json",
}

var types = map[string]string{
	".html": "text/html; charset=utf-8",
	".json": "application/json",
	".jpg":  "image/jpeg",
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8082", "address to listen on")
	root := flag.String("root", ".", "folder to serve")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go serve(c.(*net.TCPConn), *root)
	}
}

// serve answers the requests of one connection until it closes or sends
// something this server does not understand.
func serve(c *net.TCPConn, root string) {
	defer c.Close()
	br := bufio.NewReaderSize(c, 4096)
	head := make([]byte, 0, 512)
	for {
		c.SetReadDeadline(time.Now().Add(2 * time.Minute))
		line, err := br.ReadSlice('\n')
		if err != nil {
			return
		}
		fields := bytes.Fields(line)
		if len(fields) != 3 || string(fields[0]) != "GET" {
			return
		}
		name := string(fields[1])
		for { // the headers, unread
			h, err := br.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(bytes.TrimSpace(h)) == 0 {
				break
			}
		}
		if n, ok := named[name]; ok {
			name = n
		}
		f, err := os.Open(filepath.Join(root, path.Clean(name)))
		if err != nil {
			c.Write([]byte("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
			continue
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return
		}
		head = append(head[:0], "HTTP/1.1 200 OK\r\nContent-Type: "...)
		head = append(head, types[path.Ext(name)]...)
		head = append(head, "\r\nContent-Length: "...)
		head = strconv.AppendInt(head, st.Size(), 10)
		head = append(head, "\r\nDate: "...)
		head = time.Now().UTC().AppendFormat(head, "Mon, 02 Jan 2006 15:04:05 GMT")
		head = append(head, "\r\n\r\n"...)
		_, err = c.Write(head)
		if err == nil {
			_, err = io.Copy(c, f) // sendfile
		}
		f.Close()
		if err != nil {
			return
		}
	}
}
