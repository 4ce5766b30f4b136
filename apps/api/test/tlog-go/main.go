// tlogcheck reads keyledger's audit log through the C2SP tlog-tiles routes with
// golang.org/x/mod/sumdb/tlog and note, third-party code keyledger does not control:
// it opens the checkpoint with an Ed25519 verifier key, authenticates every tile it
// reads against the checkpoint's root (tlog.TileHashReader), proves the inclusion
// of the given leaves and, optionally, the consistency with an older tree.
//
// Usage: tlogcheck -url BASE -vkey NAME+HASH+KEY [-leaf INDEX:HEX]... [-old SIZE:BASE64ROOT]
// Prints one JSON line on success; exits 1 with the reason on stderr otherwise.
package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8

type leafFlags []string

func (l *leafFlags) String() string     { return strings.Join(*l, ",") }
func (l *leafFlags) Set(v string) error { *l = append(*l, v); return nil }

type tileServer struct {
	base    string
	fetched int
}

func (s *tileServer) get(path, contentType string) ([]byte, error) {
	res, err := http.Get(s.base + path)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", path, res.StatusCode)
	}
	if got := res.Header.Get("Content-Type"); got != contentType {
		return nil, fmt.Errorf("GET %s: content type %q, want %q", path, got, contentType)
	}
	s.fetched++
	return body, nil
}

func (s *tileServer) Height() int { return height }

// ReadTiles maps x/mod's tile names (tile/8/L/N[.p/W]) onto C2SP's (tile/L/N[.p/W]).
func (s *tileServer) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		path := "/tlog/tile/" + strings.TrimPrefix(t.Path(), "tile/8/")
		data, err := s.get(path, "application/octet-stream")
		if err != nil {
			return nil, err
		}
		if len(data) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("GET %s: %d bytes, want %d", path, len(data), t.W*tlog.HashSize)
		}
		out[i] = data
	}
	return out, nil
}

func (s *tileServer) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// entry reads leaf i from its entry bundle: big-endian uint16 lengths, each followed by the entry.
func (s *tileServer) entry(i, size int64) ([]byte, error) {
	n := i / 256
	w := 256
	if (n+1)*256 > size {
		w = int(size - n*256)
	}
	t := tlog.Tile{H: height, L: 0, N: n, W: w}
	path := "/tlog/tile/entries/" + strings.TrimPrefix(t.Path(), "tile/8/0/")
	bundle, err := s.get(path, "application/octet-stream")
	if err != nil {
		return nil, err
	}
	for j := int64(0); ; j++ {
		if len(bundle) < 2 {
			return nil, fmt.Errorf("%s: bundle ends before entry %d", path, i%256)
		}
		l := int(binary.BigEndian.Uint16(bundle))
		if len(bundle) < 2+l {
			return nil, fmt.Errorf("%s: entry %d is cut short", path, j)
		}
		if j == i%256 {
			return bundle[2 : 2+l], nil
		}
		bundle = bundle[2+l:]
	}
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlogcheck: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	base := flag.String("url", "", "API base URL")
	vkey := flag.String("vkey", "", "Ed25519 signed-note verifier key")
	old := flag.String("old", "", "SIZE:BASE64ROOT of an older tree to prove consistency with")
	var leaves leafFlags
	flag.Var(&leaves, "leaf", "INDEX:HEX of a leaf entry to prove (repeatable)")
	flag.Parse()

	verifier, err := note.NewVerifier(*vkey)
	if err != nil {
		fail("verifier key: %v", err)
	}
	server := &tileServer{base: *base}
	msg, err := server.get("/tlog/checkpoint", "text/plain; charset=utf-8")
	if err != nil {
		fail("checkpoint: %v", err)
	}
	opened, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("note.Open: %v", err)
	}
	lines := strings.Split(opened.Text, "\n")
	if len(lines) < 4 || lines[0] != verifier.Name() {
		fail("checkpoint origin %q is not the key name %q", lines[0], verifier.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 1 {
		fail("checkpoint size %q", lines[1])
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rootBytes) != tlog.HashSize {
		fail("checkpoint root %q", lines[2])
	}
	var root tlog.Hash
	copy(root[:], rootBytes)
	tree := tlog.Tree{N: size, Hash: root}
	hashes := tlog.TileHashReader(tree, server)

	if got, err := tlog.TreeHash(size, hashes); err != nil || got != root {
		fail("tree hash from tiles: %v (got %v, checkpoint %v)", err, got, root)
	}
	for _, leaf := range leaves {
		parts := strings.SplitN(leaf, ":", 2)
		index, err := strconv.ParseInt(parts[0], 10, 64)
		if err != nil || len(parts) != 2 || index < 0 || index >= size {
			fail("leaf %q is not INDEX:HEX inside the tree of %d", leaf, size)
		}
		want, err := hex.DecodeString(parts[1])
		if err != nil {
			fail("leaf %q: %v", leaf, err)
		}
		data, err := server.entry(index, size)
		if err != nil {
			fail("entry %d: %v", index, err)
		}
		if hex.EncodeToString(data) != hex.EncodeToString(want) {
			fail("entry %d is %x, want %x", index, data, want)
		}
		leafHash := tlog.RecordHash(data)
		stored, err := hashes.ReadHashes([]int64{tlog.StoredHashIndex(0, index)})
		if err != nil || stored[0] != leafHash {
			fail("entry %d does not hash to its level-0 tile hash: %v", index, err)
		}
		proof, err := tlog.ProveRecord(size, index, hashes)
		if err != nil {
			fail("ProveRecord %d: %v", index, err)
		}
		if err := tlog.CheckRecord(proof, size, root, index, leafHash); err != nil {
			fail("CheckRecord %d: %v", index, err)
		}
	}
	oldSize := int64(0)
	if *old != "" {
		parts := strings.SplitN(*old, ":", 2)
		oldSize, err = strconv.ParseInt(parts[0], 10, 64)
		if err != nil || len(parts) != 2 || oldSize < 1 || oldSize > size {
			fail("old tree %q", *old)
		}
		oldBytes, err := base64.StdEncoding.DecodeString(parts[1])
		if err != nil || len(oldBytes) != tlog.HashSize {
			fail("old root %q", parts[1])
		}
		var oldRoot tlog.Hash
		copy(oldRoot[:], oldBytes)
		proof, err := tlog.ProveTree(size, oldSize, hashes)
		if err != nil {
			fail("ProveTree: %v", err)
		}
		if err := tlog.CheckTree(proof, size, root, oldSize, oldRoot); err != nil {
			fail("CheckTree: %v", err)
		}
	}
	out, _ := json.Marshal(map[string]interface{}{
		"origin": lines[0], "treeSize": size, "root": lines[2], "leavesProved": len(leaves),
		"consistentWith": oldSize, "signatures": len(opened.Sigs), "unverifiedSignatures": len(opened.UnverifiedSigs),
		"fetches": server.fetched,
	})
	fmt.Println(string(out))
}
