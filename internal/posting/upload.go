package posting

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/events"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/pdq"
	"github.com/chatpic/chatpic/internal/video"
)

// Created is the result of an upload: the new post, and the delete token,
// which is shown to the uploader once and never stored in plain form.
type Created struct {
	Post        chatpic.Post
	DeleteToken string
	Channel     chatpic.ChannelStats
	// source is the format the file came in, for the metrics.
	source string
}

// Pending reports whether the upload waits for a moderator's approval
// before anyone else sees it.
func (c Created) Pending() bool { return c.Post.Status == chatpic.StatusPending }

// Spooled is an upload written to a temporary file as it arrived. Close
// removes the file; Upload does not.
type Spooled struct {
	f    *os.File
	size int64
	sum  [32]byte // SHA-256 of the file as it arrived
	// share is the ID of the held share the file was copied from (see
	// SpoolShare), "" for a file that came with its request.
	share string
}

// Size is the number of bytes spooled.
func (sp *Spooled) Size() int64 { return sp.size }

// Close removes the temporary file. It is safe to call more than once.
func (sp *Spooled) Close() error {
	if sp == nil || sp.f == nil {
		return nil
	}
	removeTemp(sp.f)
	sp.f = nil
	return nil
}

// Spool copies an uploaded file from r to a temporary file, refusing it with
// KindTooLarge as soon as it passes MaxBytes, so that no upload is ever held
// in memory whole. An error from r that is a *chatpic.Error (the transport's
// own body limit) is returned as it is; any other means the upload was cut
// off (KindInvalid). On error nothing is left behind; otherwise the caller
// closes the Spooled.
func (s *Service) Spool(r io.Reader) (*Spooled, error) {
	h := sha256.New()
	f, n, err := s.spool(io.TeeReader(r, h))
	if err != nil {
		if f != nil {
			removeTemp(f)
		}
		s.refused(err)
		return nil, err
	}
	sp := &Spooled{f: f, size: n}
	h.Sum(sp.sum[:0])
	return sp, nil
}

// Draft is what an uploader sends besides the channel.
type Draft struct {
	// Files are the files to post, in order: one, or several for an
	// album (up to the channel's Channel.FileLimit). The caller closes
	// them.
	Files   []*Spooled
	Caption string
	// Sensitive asks for the picture to be shown blurred until a viewer
	// chooses to see it.
	Sensitive bool
	// Password, for a link-only upload, locks it: nothing of it shows
	// until the password is given (see View). "" for none.
	Password string
	// ExpiresIn asks the upload to vanish this long after it arrives
	// (0: no wish). It can shorten the channel's rule, never lengthen it.
	ExpiresIn time.Duration
	// Client is the uploader's address: it feeds rate limits and keyed
	// hashes held in memory, and is never stored.
	Client netip.Addr
	// Proof is the proof-of-work solution ("TOKEN:SOLUTION") when the
	// channel asks for one.
	Proof string
	// Pass, if set, is the upload's admission, made before its body was
	// read (see Admit); without one, Upload admits it itself.
	Pass *Pass
}

// Upload checks, scrubs and posts a spooled file into the channel with the
// caption and the uploader's wishes. The type comes from the bytes. Errors: KindNotFound (no such
// channel), KindInvalid (bad caption or expires_in), KindTooLarge (a picture or video over
// a limit), KindUnsupported (not an accepted type or codec), KindUnprocessable
// (does not decode or cannot be cleaned), KindInternal.
//
// Once the files are stored, the post is recorded even if ctx is cancelled,
// so an upload either fully lands or leaves nothing visible behind. A file
// from a held share (SpoolShare) is released as settleShare says.
func (s *Service) Upload(ctx context.Context, slug string, d Draft) (Created, error) {
	start := time.Now()
	c, err := s.uploadInto(ctx, slug, d)
	s.measure(c, err, start)
	s.settleShare(ctx, d.share(), err)
	return c, err
}

// share returns the ID of the held share the draft's files came from, or
// "".
func (d Draft) share() string {
	if len(d.Files) == 0 || d.Files[0] == nil {
		return ""
	}
	return d.Files[0].share
}

func (s *Service) uploadInto(ctx context.Context, slug string, d Draft) (Created, error) {
	if err := chatpic.ValidateExpiresIn(d.ExpiresIn); err != nil {
		return Created{}, err
	}
	if d.Password != "" {
		return Created{}, chatpic.Errorf(chatpic.KindInvalid, "only an upload shared by link only can be locked with a password")
	}
	pass, done, err := s.passFor(ctx, d, slug)
	defer done()
	if err != nil {
		return Created{}, err
	}
	return s.upload(ctx, *pass.ch, d, 0)
}

// UploadLinkOnly posts an upload into no channel: only its link finds it.
// It vanishes after d.ExpiresIn (DefaultLinkOnlyExpiry if 0) or, with
// maxViews > 0, after that many views, whichever comes first. Errors are
// as Upload's.
func (s *Service) UploadLinkOnly(ctx context.Context, d Draft, maxViews int) (Created, error) {
	start := time.Now()
	c, err := s.uploadLinkOnly(ctx, d, maxViews)
	s.measure(c, err, start)
	s.settleShare(ctx, d.share(), err)
	return c, err
}

func (s *Service) uploadLinkOnly(ctx context.Context, d Draft, maxViews int) (Created, error) {
	if d.ExpiresIn == 0 {
		d.ExpiresIn = chatpic.DefaultLinkOnlyExpiry
	}
	if err := chatpic.ValidateExpiresIn(d.ExpiresIn); err != nil {
		return Created{}, err
	}
	if err := chatpic.ValidateMaxViews(maxViews); err != nil {
		return Created{}, err
	}
	if err := chatpic.ValidateUploadPassword(d.Password); err != nil {
		return Created{}, err
	}
	pass, done, err := s.passFor(ctx, d, chatpic.LinkOnly)
	defer done()
	if err != nil {
		return Created{}, err
	}
	return s.upload(ctx, *pass.ch, d, maxViews)
}

// measure counts an upload's outcome: accepted, by the format it came in,
// with the time since start, or refused, by its error's kind.
func (s *Service) measure(c Created, err error, start time.Time) {
	if err != nil {
		s.refused(err)
	} else if s.cfg.Meter != nil {
		s.cfg.Meter.Upload(c.source, time.Since(start))
	}
}

// refused counts err, if any, as an upload refused for its kind.
func (s *Service) refused(err error) {
	if err != nil && s.cfg.Meter != nil {
		s.cfg.Meter.Refused(chatpic.ErrorKind(err))
	}
}

func (s *Service) upload(ctx context.Context, ch chatpic.ChannelStats, d Draft, maxViews int) (Created, error) {
	caption, err := chatpic.CleanCaption(d.Caption)
	if err != nil {
		return Created{}, err
	}
	switch {
	case len(d.Files) == 0 || d.Files[0] == nil || d.Files[0].f == nil:
		return Created{}, chatpic.Errorf(chatpic.KindInvalid, "choose a file to upload")
	case len(d.Files) > ch.FileLimit() && ch.FileLimit() == 1:
		return Created{}, chatpic.Errorf(chatpic.KindInvalid, "this channel takes one file per upload")
	case len(d.Files) > ch.FileLimit():
		return Created{}, chatpic.Errorf(chatpic.KindInvalid, "an upload here carries at most %d files (this one has %d)", ch.FileLimit(), len(d.Files))
	}
	if s.cfg.Guard != nil {
		// The rest was decided before the body was read (Admit).
		if err := s.cfg.Guard.Prove(ctx, chatpic.ActionUpload, ch.Channel, d.Proof); err != nil {
			return Created{}, err
		}
	}
	ins, err := s.ingestAll(ctx, ch, d.Files)
	defer func() {
		for _, in := range ins {
			in.Close()
		}
	}()
	if err != nil {
		return Created{}, err
	}

	locked, err := s.lock(ctx, d.Password)
	if err != nil {
		return Created{}, err
	}
	now := s.Now()
	status := chatpic.StatusVisible
	if ch.Moderation() != chatpic.PremodOff {
		status = chatpic.StatusPending
	}
	clientKey, _ := s.keys.Client(d.Client, now)
	token, tokenHash := chatpic.NewToken()
	p := chatpic.Post{
		ID:              chatpic.NewID(),
		Channel:         ch.Slug,
		Caption:         caption,
		Sensitive:       d.Sensitive,
		PasswordHash:    locked,
		Item:            ins[0].item(),
		CreatedAt:       now.Truncate(time.Millisecond),
		ExpiresAt:       ch.ExpiresAtFor(now.Truncate(time.Millisecond), d.ExpiresIn),
		DeleteTokenHash: tokenHash,
		ViewsLeft:       maxViews,
		Status:          status,
		ClientKey:       clientKey,
	}
	for _, in := range ins[1:] {
		p.More = append(p.More, in.item())
	}
	// From here on the work is committed to: finish it even if the client
	// goes away, so no file is left without its row or the other way round.
	ctx = context.WithoutCancel(ctx)
	for i, in := range ins {
		if err := s.storeFiles(ctx, p, i+1, in); err != nil {
			s.removeFiles(ctx, p)
			return Created{}, err
		}
	}
	created, evicted, err := s.store.CreatePost(ctx, p, now)
	if err != nil {
		s.removeFiles(ctx, p)
		return Created{}, storageErr(err, "recording the post")
	}
	p = created
	s.log.Info("post created", "post", p.ID, "channel", p.Channel, "mime", p.MIME, "bytes", p.Bytes, "files", p.Files(), "evicted", len(evicted))
	if p.Visible() {
		s.publish(ctx, p, events.TypePost, map[string]any{"channel": p.Channel}, true)
	}
	s.Gone(ctx, chatpic.ReasonEvicted, evicted...)
	s.removeFiles(ctx, evicted...)
	if p.Visible() {
		ch.Count = min(ch.Count+1, ch.Capacity)
	}
	return Created{Post: p, DeleteToken: token, Channel: ch, source: ins[0].source}, nil
}

// ingestAll checks, scrubs, thumbnails and hashes each file, one after the
// other, and screens it against the hash bans. A file refused for what it
// is does not stop the others from being checked, so that the uploader of
// an album learns at once of every file that cannot go: the error then
// carries a chatpic.FileRefusal per refused file (for a single file, it is
// that file's error as it is). A failure of ours (a full disk, a busy
// server) stops at once. On error, the caller still closes what it got.
func (s *Service) ingestAll(ctx context.Context, ch chatpic.ChannelStats, files []*Spooled) ([]*ingested, error) {
	var ins []*ingested
	var refused refusals
	for i, file := range files {
		if file == nil || file.f == nil {
			return ins, chatpic.Errorf(chatpic.KindInvalid, "choose a file to upload")
		}
		in, err := s.ingest(ctx, file.f, file.size)
		if err == nil {
			ins = append(ins, in)
			err = s.screen(ctx, ch, file, in)
		}
		if err == nil {
			continue
		}
		if !fileFault(err) || len(files) == 1 {
			return ins, err
		}
		refused.add(i+1, err)
	}
	return ins, refused.err(len(files))
}

// refusals gathers why files of an upload of several were refused.
type refusals struct {
	files []chatpic.FileRefusal
	first error
}

func (r *refusals) add(file int, err error) {
	r.first = cmp.Or(r.first, err)
	r.files = append(r.files, chatpic.RefuseFile(file, err))
}

// err returns nil if no file of total was refused. Otherwise it returns
// the refusal of the whole upload: the first refused file's kind, which
// errors.Is still finds the cause of, a message that names each refused
// file, and a chatpic.FileRefusal for each. When total is 1, it is that
// file's error as it is.
func (r *refusals) err(total int) error {
	switch {
	case len(r.files) == 0:
		return nil
	case total == 1:
		return r.first
	}
	e := chatpic.Errorf(chatpic.ErrorKind(r.first), "%d of %d files were refused, so nothing was posted", len(r.files), total)
	if len(r.files) == 1 {
		e = chatpic.Errorf(e.Kind, "file %d of %d was refused, so nothing was posted: %s", r.files[0].File, total, r.files[0].Message)
	} else {
		for _, f := range r.files {
			// Each part is a message of its own (a catalog key).
			e.Message += "; " + chatpic.Errorf(e.Kind, "file %d: %s", f.File, f.Message).Message
		}
	}
	// A translation makes the message again from Files, each in its
	// language (see chatpic.FileRefusal).
	e.Files, e.Err = r.files, r.first
	return e
}

// fileFault reports whether err refuses a file for what it is (its type,
// size, content or a ban), as opposed to a failure that has nothing to do
// with the file.
func fileFault(err error) bool {
	switch chatpic.ErrorKind(err) {
	case chatpic.KindTooLarge, chatpic.KindUnsupported, chatpic.KindUnprocessable, chatpic.KindForbidden, chatpic.KindInvalid:
		return true
	}
	return false
}

// screen refuses an ingested file whose hashes are banned: those of the
// file as it arrived and as stored, and the perceptual hashes of all eight
// orientations, so a listed picture is found however it was turned,
// mirrored or tagged.
func (s *Service) screen(ctx context.Context, ch chatpic.ChannelStats, file *Spooled, in *ingested) error {
	if s.cfg.Screen == nil {
		return nil
	}
	var hashes []pdq.Hash
	if in.pdqQuality >= pdq.MinQuality {
		hashes = in.dihedral[:]
	}
	err := s.cfg.Screen.Screen(ctx, [][32]byte{file.sum, in.sha256}, hashes)
	if chatpic.ErrorKind(err) == chatpic.KindForbidden {
		s.log.Info("upload refused: banned hash", "channel", ch.Slug)
		key, args := chatpic.ErrorText(err)
		err = &chatpic.Error{Kind: chatpic.KindForbidden, Message: chatpic.ErrorMessage(err), Format: key, Args: args, Err: errBannedFile}
	}
	return err
}

// storeFiles puts the nth file of p, as ingested, and its thumbnail into
// the blob store.
func (s *Service) storeFiles(ctx context.Context, p chatpic.Post, n int, in *ingested) error {
	it, _ := p.File(n)
	if _, err := in.clean.Seek(0, io.SeekStart); err != nil {
		return chatpic.Internal(fmt.Errorf("posting: %w", err))
	}
	if _, err := s.blobs.Put(ctx, p.FileKey(n, false), in.clean, it.MIME); err != nil {
		return storageErr(mediaStoreErr("store media", err), "storing the media file")
	}
	if _, err := s.blobs.Put(ctx, p.FileKey(n, true), &in.thumb, it.ThumbMIME); err != nil {
		return storageErr(mediaStoreErr("store thumbnail", err), "storing the thumbnail")
	}
	return nil
}

// spool copies file into a temporary file, refusing it as soon as it passes
// the limit for its kind: the first bytes tell a video from a picture, so a
// 30 MB photo is refused at 20 MB, not at the video limit. The caller
// removes the returned file, which may be non-nil even with an error.
func (s *Service) spool(file io.Reader) (*os.File, int64, error) {
	f, err := s.createTemp("upload-*")
	if err != nil {
		return nil, 0, err
	}
	head := make([]byte, media.SniffLen)
	hn, err := io.ReadFull(file, head)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	head = head[:hn]
	limit, isVideo := s.cfg.MaxBytes, false
	if _, ok := video.Sniff(head); ok && s.takesVideo() {
		limit, isVideo = s.cfg.VideoLimits.MaxBytes, true
	}
	// Write errors are told apart from read errors: a failing disk is
	// ours, a failing body the client's.
	w := &recordingWriter{w: s.tempWriter("spool", f)}
	var n int64
	if err == nil {
		if _, err = w.Write(head); err == nil {
			n, err = io.Copy(w, io.LimitReader(file, limit-int64(hn)+1))
		}
	}
	n += int64(hn)
	switch {
	case w.err != nil:
		return f, n, storageErr(chatpic.Internal(fmt.Errorf("posting: spooling the upload: %w", w.err)), "spooling the upload")
	case n > limit && isVideo:
		return f, n, chatpic.Errorf(chatpic.KindTooLarge, "videos are limited to %s", chatpic.FormatSize(limit))
	case n > limit:
		return f, n, chatpic.Errorf(chatpic.KindTooLarge, "files are limited to %s", chatpic.FormatSize(limit))
	case err != nil:
		// The transport reports its own limits as *chatpic.Error; anything
		// else means the body was cut off.
		if _, ok := errors.AsType[*chatpic.Error](err); ok {
			return f, n, err
		}
		return f, n, chatpic.Errorf(chatpic.KindInvalid, "the upload was cut off before the end of the file")
	case n == 0:
		return f, n, chatpic.Errorf(chatpic.KindInvalid, "the file is empty")
	}
	return f, n, nil
}

// recordingWriter keeps the first error of the writer it wraps.
type recordingWriter struct {
	w   io.Writer
	err error
}

func (r *recordingWriter) Write(p []byte) (int, error) {
	n, err := r.w.Write(p)
	if err != nil && r.err == nil {
		r.err = err
	}
	return n, err
}

func removeTemp(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}
