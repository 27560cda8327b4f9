// Command staticgo serves a folder as static files with Go's own
// http.FileServer, nothing else: no logging, no middleware. bench/serve.sh
// runs it beside chatpic and nginx on the same bytes, to show how fast
// net/http itself serves a file on the machine, the ceiling of any Go
// server there.
//
//	staticgo -addr 127.0.0.1:8081 -root www
//
// Paths without an extension are served from the file of that name with
// ".html" (the home page from index.html); the channel JSON from
// api/posts.json, as bench/serve.sh saves them.
package main

import (
	"flag"
	"log"
	"net/http"
	"path"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	root := flag.String("root", ".", "folder to serve")
	flag.Parse()
	files := http.FileServer(http.Dir(*root))
	named := map[string]string{
		"/":                                  "/index.html",
		"/c/photography":                     "/c/photography.html",
		"/api/v1/channels/photography/posts": "/api/posts.json",
	}
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := named[r.URL.Path]; ok {
			switch path.Ext(name) {
			case ".html":
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
			case ".json":
				w.Header().Set("Content-Type", "application/json")
			}
			http.ServeFile(w, r, path.Join(*root, name))
			return
		}
		files.ServeHTTP(w, r)
	})))
}
