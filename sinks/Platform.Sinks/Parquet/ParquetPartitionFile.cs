using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace Platform.Sinks.Parquet;

/// <summary>
/// One open data file of one partition (<c>dt=YYYY-MM-DD/hour=HH/</c>). It is written under a hidden temporary
/// name (<c>.part-….parquet.tmp</c>, which dataset readers skip), and <see cref="CommitAsync"/> writes the footer,
/// syncs the file to disk and renames it to <c>part-….parquet</c> in one step: a reader sees either no file or
/// the whole file, never a partial one.
/// </summary>
internal sealed class ParquetPartitionFile
{
    private readonly FileStream _stream;
    private readonly ParquetWriter _writer;

    private ParquetPartitionFile(long hour, string tempPath, string finalPath, FileStream stream, ParquetWriter writer)
    {
        Hour = hour;
        TempPath = tempPath;
        FinalPath = finalPath;
        _stream = stream;
        _writer = writer;
    }

    public long Hour { get; }

    public string TempPath { get; }

    public string FinalPath { get; }

    public long Rows { get; private set; }

    /// <summary>When it was last written (a counter), for closing the least recently used.</summary>
    public long LastUsed { get; set; }

    /// <summary>The partition folder of an hour since the epoch, relative to the dataset root.</summary>
    public static string PartitionPath(long hour)
    {
        var start = DateTime.UnixEpoch.AddHours(hour);
        return Path.Combine("dt=" + start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "hour=" + start.ToString("HH", CultureInfo.InvariantCulture));
    }

    public static async Task<ParquetPartitionFile> CreateAsync(string root, long hour, string fileName, ParquetSchema schema, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(root, PartitionPath(hour));
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, "." + fileName + ".tmp");
        var final = Path.Combine(dir, fileName);
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true);
        try
        {
            var writer = await ParquetWriter.CreateAsync(schema, stream, cancellationToken: cancellationToken);
            return new ParquetPartitionFile(hour, temp, final, stream, writer);
        }
        catch
        {
            await stream.DisposeAsync();
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Writes rows <paramref name="start"/>..+<paramref name="count"/> of every column as one row group.</summary>
    public async Task WriteRowGroupAsync(ParquetColumnBuffer[] columns, int start, int count, CancellationToken cancellationToken)
    {
        using (var rowGroup = _writer.CreateRowGroup())
        {
            foreach (var column in columns) await column.WriteAsync(rowGroup, start, count, cancellationToken);
            rowGroup.CompleteValidate();
        }
        Rows += count;
    }

    /// <summary>Finishes the file (footer, fsync) and renames it into place.</summary>
    public async Task CommitAsync()
    {
        await _writer.DisposeAsync();
        await _stream.FlushAsync();
        _stream.Flush(flushToDisk: true);
        await _stream.DisposeAsync();
        File.Move(TempPath, FinalPath, overwrite: false);
    }

    /// <summary>Closes and deletes an unfinished file (the sink failed while writing it).</summary>
    public async Task AbandonAsync()
    {
        try
        {
            await _writer.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // The file is being deleted anyway; a failure to write its footer changes nothing.
        }
        await _stream.DisposeAsync();
        File.Delete(TempPath);
    }
}
