using System.Globalization;

namespace Platform.Connectors.DurableLog;

public sealed partial class DurableLog
{
    private const int MaxDeadLetterBytes = 64 * 1024;

    private DurableLogRecovery OpenSegments()
    {
        Directory.CreateDirectory(_options.Directory);
        var ids = new List<int>();
        foreach (var path in Directory.EnumerateFiles(_options.Directory, "*" + LogRecordFormat.Extension))
        {
            if (int.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var id)) ids.Add(id);
        }
        ids.Sort();
        long records = 0, tornBytes = 0, corruptRecords = 0, corruptBytes = 0;
        var torn = 0;
        for (var i = 0; i < ids.Count; i++)
        {
            var isLast = i == ids.Count - 1;
            var path = Path.Combine(_options.Directory, LogRecordFormat.SegmentFileName(ids[i]));
            var scan = ScanSegment(ids[i], path, isLast);
            records += scan.Records;
            tornBytes += scan.TornBytes;
            torn += scan.TornBytes > 0 ? 1 : 0;
            corruptRecords += scan.CorruptRecords;
            corruptBytes += scan.CorruptBytes;
            _segments.Add(new SegmentInfo(ids[i], path, scan.Length, !isLast, File.GetLastWriteTimeUtc(path)));
        }
        if (_segments.Count > 0 && _segments[^1].Length < _options.SegmentBytes)
        {
            _activeInfo = _segments[^1];
            _activeInfo.Sealed = false;
            _active = File.OpenHandle(_activeInfo.Path, FileMode.Open, FileAccess.Write, FileShare.Read | FileShare.Delete);
            _zeroedEnd = _activeInfo.Length; // the scan cut the file there
        }
        else
        {
            if (_segments.Count > 0) _segments[^1].Sealed = true;
            CreateSegment(_segments.Count > 0 ? _segments[^1].Id + 1 : 0);
        }
        _tail = new Tail(_activeInfo.Id, _activeInfo.Length);
        var recovery = new DurableLogRecovery(ids.Count, records, tornBytes, torn, corruptRecords, corruptBytes);
        DurableLogLog.Opened(_options.Name, recovery);
        return recovery;
    }

    private readonly record struct SegmentScan(long Length, long Records, long TornBytes, long CorruptRecords, long CorruptBytes);

    /// <summary>Checks one segment record by record; cuts a torn (or unreadable) tail of the last segment.</summary>
    private SegmentScan ScanSegment(int id, string path, bool isLast)
    {
        var data = File.ReadAllBytes(path);
        long records = 0, corruptRecords = 0, corruptBytes = 0, tornBytes = 0;
        var valid = data.Length;
        if (!LogRecordFormat.IsSegmentHeader(data))
        {
            if (data.Length >= LogRecordFormat.SegmentHeaderSize || !isLast)
            {
                Corrupt(id, 0, "segment header is not PLOG v1", data, ref corruptRecords, ref corruptBytes);
            }
            else
            {
                tornBytes = data.Length;
            }
            // Rewrite an empty, well-formed segment in its place; the damaged bytes went to the DLQ.
            using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
            Span<byte> header = stackalloc byte[LogRecordFormat.SegmentHeaderSize];
            LogRecordFormat.WriteSegmentHeader(header);
            fs.Write(header);
            fs.Flush(true);
            return new SegmentScan(LogRecordFormat.SegmentHeaderSize, 0, tornBytes, corruptRecords, corruptBytes);
        }
        var at = LogRecordFormat.SegmentHeaderSize;
        while (at < data.Length)
        {
            var rest = data.AsSpan(at);
            var read = LogRecordFormat.TryRead(rest, _options.MaxRecordBytes, out var payload);
            if (read != RecordRead.Ok && rest.IndexOfAnyExcept((byte)0) < 0)
            {
                // Zero-filled space allocated ahead of the appends (or left by a crash before the trim): the data ends here.
                valid = at;
                break;
            }
            if (read == RecordRead.Corrupt && isLast && IsTornIntoZeros(rest, payload))
            {
                read = RecordRead.Incomplete;
            }
            switch (read)
            {
                case RecordRead.Ok:
                    records++;
                    at += LogRecordFormat.RecordHeaderSize + payload;
                    continue;
                case RecordRead.Incomplete when isLast:
                    tornBytes = rest.LastIndexOfAnyExcept((byte)0) + 1;
                    DurableLogLog.TornTail(_options.Name, id, at, (int)tornBytes);
                    valid = at;
                    at = data.Length;
                    continue;
                default:
                    var next = LogRecordFormat.Resync(rest, _options.MaxRecordBytes);
                    var skip = next < 0 ? rest.Length : next;
                    // Past the last valid record only the bytes before the zero-filled tail are damage.
                    var damaged = next < 0 ? Math.Max(1, rest.LastIndexOfAnyExcept((byte)0) + 1) : next;
                    Corrupt(id, at, $"record at segment {id} offset {at} fails its length/CRC-32C check ({damaged} bytes skipped)", rest[..damaged], ref corruptRecords, ref corruptBytes);
                    if (next < 0 && isLast) valid = at; // nothing valid follows: cut, so appends start clean
                    at += skip;
                    continue;
            }
        }
        if (valid < data.Length)
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None);
            fs.SetLength(valid);
            fs.Flush(true);
        }
        return new SegmentScan(valid, records, tornBytes, corruptRecords, corruptBytes);
    }

    /// <summary>
    /// A record whose write reached the disk only in part, over zero-filled preallocated space: its checksum fails, the
    /// byte where its payload should end is still zero (a payload always ends in '\n'), and nothing valid follows.
    /// That is a torn tail, not damage to stored data.
    /// </summary>
    private bool IsTornIntoZeros(ReadOnlySpan<byte> rest, int payload)
    {
        var end = LogRecordFormat.RecordHeaderSize + payload;
        if (payload <= 0 || end > rest.Length || rest[end - 1] != 0) return false;
        return LogRecordFormat.Resync(rest, _options.MaxRecordBytes) < 0;
    }

    private void Corrupt(int segment, long offset, string reason, ReadOnlySpan<byte> raw, ref long records, ref long bytes)
    {
        records++;
        bytes += raw.Length;
        DurableLogLog.CorruptRecord(_options.Name, reason);
        _options.DeadLetters?.Write(_options.Name, 0, new LogPosition(segment, offset).Pack(), reason, raw.Length > MaxDeadLetterBytes ? raw[..MaxDeadLetterBytes] : raw);
    }

    private void CreateSegment(int id)
    {
        var path = Path.Combine(_options.Directory, LogRecordFormat.SegmentFileName(id));
        var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete);
        Span<byte> header = stackalloc byte[LogRecordFormat.SegmentHeaderSize];
        LogRecordFormat.WriteSegmentHeader(header);
        RandomAccess.Write(file, header, 0);
        // A full fsync: the new file's directory entry and inode go to the journal here, once per segment.
        if (_options.Fsync != FsyncPolicy.Never) RandomAccess.FlushToDisk(file);
        var info = new SegmentInfo(id, path, LogRecordFormat.SegmentHeaderSize, false, _options.Clock.GetUtcNow());
        lock (_segments) _segments.Add(info);
        _active = file;
        _activeInfo = info;
        _zeroedEnd = LogRecordFormat.SegmentHeaderSize;
        PreallocateAhead();
    }

    /// <summary>Deletes the oldest sealed segments beyond the size limit or older than the age limit.</summary>
    internal void ApplyRetention()
    {
        if (_options.RetentionBytes <= 0 && _options.RetentionAge <= TimeSpan.Zero) return;
        var now = _options.Clock.GetUtcNow();
        while (true)
        {
            SegmentInfo victim;
            lock (_segments)
            {
                if (_segments.Count < 2) return;
                victim = _segments[0];
                if (!victim.Sealed) return;
                if (_retainFrom is { } floor && victim.Id >= floor.Segment) return;
                foreach (var r in _readers) if (victim.Id >= r.SegmentInUse) return; // not finished by a reader
                var total = _segments.Sum(s => s.Length);
                var tooBig = _options.RetentionBytes > 0 && total > _options.RetentionBytes;
                var tooOld = _options.RetentionAge > TimeSpan.Zero && now - victim.LastWrite > _options.RetentionAge;
                if (!tooBig && !tooOld) return;
                _segments.RemoveAt(0);
            }
            try
            {
                File.Delete(victim.Path);
            }
            catch (IOException e)
            {
                DurableLogLog.WriteFailed(_options.Name, e);
            }
            Interlocked.Increment(ref _segmentsDeleted);
            Interlocked.Add(ref _bytesDeleted, victim.Length);
        }
    }
}
