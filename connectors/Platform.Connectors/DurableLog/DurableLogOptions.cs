using Platform.Engine.DeadLetters;

namespace Platform.Connectors.DurableLog;

/// <summary>Settings of a <see cref="DurableLog"/>. Immutable once the log is opened.</summary>
public sealed record DurableLogOptions
{
    /// <summary>Default segment size: 64 MiB.</summary>
    public const long DefaultSegmentBytes = 64L << 20;

    /// <summary>Default bound on bytes waiting for the next group commit: 16 MiB.</summary>
    public const long DefaultMaxPendingBytes = 16L << 20;

    /// <summary>Default largest record payload: 4 MiB.</summary>
    public const int DefaultMaxRecordBytes = 4 << 20;

    /// <summary>Default fsync interval under <see cref="FsyncPolicy.Interval"/>: 100 ms.</summary>
    public static readonly TimeSpan DefaultFsyncInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The folder holding the segment files (created if missing). Required.</summary>
    public required string Directory { get; init; }

    /// <summary>A name for logs, metrics and dead letters.</summary>
    public string Name { get; init; } = "log";

    /// <summary>A segment is sealed and a new one started once it reaches this size (bytes, ≥ 4 KiB).</summary>
    public long SegmentBytes { get; init; } = DefaultSegmentBytes;

    /// <summary>When appends reach stable storage. Default <see cref="FsyncPolicy.Always"/>.</summary>
    public FsyncPolicy Fsync { get; init; } = FsyncPolicy.Always;

    /// <summary>Longest time between fsyncs under <see cref="FsyncPolicy.Interval"/>.</summary>
    public TimeSpan FsyncInterval { get; init; } = DefaultFsyncInterval;

    /// <summary>
    /// Under <see cref="FsyncPolicy.Always"/>, zero-fill the active segment a few MiB ahead of the appends (in the
    /// background) so each commit's fdatasync flushes data only, with no filesystem journal commit. Default true.
    /// Costs one extra write of each segment's bytes.
    /// </summary>
    public bool Preallocate { get; init; } = true;

    /// <summary>Bytes accepted but not yet committed before appends answer <see cref="AppendStatus.Full"/>.</summary>
    public long MaxPendingBytes { get; init; } = DefaultMaxPendingBytes;

    /// <summary>Largest payload of one record (bytes).</summary>
    public int MaxRecordBytes { get; init; } = DefaultMaxRecordBytes;

    /// <summary>Delete the oldest sealed segments while the log is larger than this (bytes; 0 = no size limit).</summary>
    public long RetentionBytes { get; init; }

    /// <summary>Delete sealed segments last written longer ago than this (<see cref="TimeSpan.Zero"/> = keep).</summary>
    public TimeSpan RetentionAge { get; init; }

    /// <summary>Where corrupt records found on open are reported (with raw bytes and position). Optional.</summary>
    public IDeadLetterSink? DeadLetters { get; init; }

    /// <summary>Clock for retention by age.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory)) throw new ArgumentException("DurableLogOptions.Directory is required.");
        ArgumentOutOfRangeException.ThrowIfLessThan(SegmentBytes, 4096L, nameof(SegmentBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecordBytes, 1, nameof(MaxRecordBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingBytes, (long)MaxRecordBytes + LogRecordFormat.RecordHeaderSize, nameof(MaxPendingBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(RetentionBytes, nameof(RetentionBytes));
        if (RetentionAge < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RetentionAge));
        if (Fsync == FsyncPolicy.Interval && FsyncInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(FsyncInterval));
    }
}

/// <summary>What opening a log found: records, and damage detected by length and checksum.</summary>
/// <param name="Segments">Segment files found.</param>
/// <param name="Records">Valid records.</param>
/// <param name="TornTailBytes">Bytes of an incomplete last record cut from the last segment (0 if none).</param>
/// <param name="TornRecords">Incomplete records cut (0 or 1).</param>
/// <param name="CorruptRecords">Records skipped for a bad checksum, magic or length (each sent to the DLQ).</param>
/// <param name="CorruptBytes">Bytes skipped with them.</param>
public sealed record DurableLogRecovery(int Segments, long Records, long TornTailBytes, int TornRecords, long CorruptRecords, long CorruptBytes)
{
    /// <summary>True when nothing was damaged.</summary>
    public bool IsClean => TornRecords == 0 && CorruptRecords == 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Segments} segment(s), {Records} record(s), torn tail {TornRecords} record(s)/{TornTailBytes} B, corrupt {CorruptRecords} record(s)/{CorruptBytes} B";
}
