package media

import "encoding/binary"

// tagOrientation is the EXIF/TIFF Orientation tag.
const tagOrientation = 0x0112

// exifOrientation returns the Orientation (1..8) from IFD0 of a TIFF
// structure (the EXIF payload after "Exif\0\0"), or 0 if it has none. Both
// byte orders are read; a malformed structure yields 0.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(tiff[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 0
	}
	ifd := int64(bo.Uint32(tiff[4:8]))
	if ifd < 8 || ifd+2 > int64(len(tiff)) {
		return 0
	}
	n := int64(bo.Uint16(tiff[ifd:]))
	for i := range n {
		e := ifd + 2 + 12*i
		if e+12 > int64(len(tiff)) {
			return 0
		}
		entry := tiff[e : e+12]
		if bo.Uint16(entry[0:2]) != tagOrientation || bo.Uint32(entry[4:8]) != 1 {
			continue
		}
		var v uint32
		switch bo.Uint16(entry[2:4]) {
		case 3: // SHORT
			v = uint32(bo.Uint16(entry[8:10]))
		case 4: // LONG
			v = bo.Uint32(entry[8:12])
		}
		if v >= 1 && v <= 8 {
			return int(v)
		}
		return 0
	}
	return 0
}

// orientationAPP1 returns a complete APP1 segment (marker included) whose
// EXIF holds only the Orientation tag with value o: a big-endian TIFF header
// and an IFD0 of one entry. It is what browsers need to rotate the picture
// and nothing more.
func orientationAPP1(o int) []byte {
	return []byte{
		0xFF, mAPP1, 0x00, 0x22, // marker, length 34
		'E', 'x', 'i', 'f', 0, 0,
		'M', 'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, // TIFF header, IFD0 at 8
		0x00, 0x01, // one entry
		0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, byte(o), 0x00, 0x00, // Orientation SHORT 1 = o
		0x00, 0x00, 0x00, 0x00, // no next IFD
	}
}
