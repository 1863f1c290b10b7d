using Parquet;
using Parquet.Schema;
using Platform.Sinks.Parquet;
using Platform.Warehouse.Tests.Infrastructure;

namespace Platform.Warehouse.Tests.Parquet;

/// <summary>The Parquet sink: dt=/hour= layout, files invisible until complete, readable back with Parquet.Net.</summary>
public sealed class ParquetPartitionedSinkTests
{
    private const long Hour = 3_600_000;

    [Fact]
    public async Task Write_RowsOverThreeHoursAndTwoDays_LandInTheirPartitionsOnlyOnceFlushed()
    {
        using var dir = new TempDir();
        var ids = ProfileUpdates.UserIds(50);
        var start = new DateTimeOffset(2026, 11, 27, 23, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        // Hours interleaved: 23:xx on the 27th, 00:xx and 01:xx on the 28th.
        var rows = Enumerable.Range(0, 3_000).Select(i => ProfileUpdates.Make(i, ids.Length) with { UpdatedMs = start + (i % 3) * Hour + i }).ToArray();
        var options = new ParquetSinkOptions { Directory = dir.Path, RowGroupRows = 1_000 };
        await using (var sink = new ParquetPartitionedSink<ProfileUpdate, ProfileMapping>(options, new ProfileMapping("profiles", ids, versioned: true)))
        {
            await sink.OpenAsync(CancellationToken.None);
            await SinkDriver.WriteAsync(sink, rows, batchSize: 500);

            // Row groups are written, but only to hidden temporary files: a dataset reader sees nothing yet.
            Assert.Empty(Directory.GetFiles(dir.Path, "*.parquet", SearchOption.AllDirectories));
            Assert.NotEmpty(Directory.GetFiles(dir.Path, ".part-*.parquet.tmp", SearchOption.AllDirectories));

            await sink.FlushAsync(CancellationToken.None);
            Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));
            Assert.Equal(3, sink.FilesCommitted);
        }

        var partitions = Directory.GetFiles(dir.Path, "*.parquet", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir.Path, Path.GetDirectoryName(f)!))
            .Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([Path.Combine("dt=2026-11-27", "hour=23"), Path.Combine("dt=2026-11-28", "hour=00"), Path.Combine("dt=2026-11-28", "hour=01")], partitions);

        for (var h = 0; h < 3; h++)
        {
            var file = Directory.GetFiles(Path.Combine(dir.Path, partitions[h]), "*.parquet").Single();
            var (sequences, updated) = await ReadSequencesAsync(file);
            var expected = rows.Where(r => (r.UpdatedMs - start) / Hour == h).ToArray();
            Assert.Equal(expected.Select(r => r.Sequence), sequences);
            Assert.Equal(expected.Select(r => DateTime.UnixEpoch.AddMilliseconds(r.UpdatedMs)), updated);
        }
    }

    [Fact]
    public async Task Flush_Twice_WritesNewFilesAndNeverReopensACommittedOne()
    {
        using var dir = new TempDir();
        var ids = ProfileUpdates.UserIds(5);
        var options = new ParquetSinkOptions { Directory = dir.Path };
        await using var sink = new ParquetPartitionedSink<ProfileUpdate, ProfileMapping>(options, new ProfileMapping("profiles", ids, versioned: true));
        await sink.OpenAsync(CancellationToken.None);
        await SinkDriver.WriteAsync(sink, Enumerable.Range(0, 10).Select(i => ProfileUpdates.Make(i, 5)));
        await sink.FlushAsync(CancellationToken.None);
        var first = Directory.GetFiles(dir.Path, "*.parquet", SearchOption.AllDirectories).Single();
        var firstBytes = await File.ReadAllBytesAsync(first);
        await SinkDriver.WriteAsync(sink, Enumerable.Range(10, 10).Select(i => ProfileUpdates.Make(i, 5)));
        await sink.FlushAsync(CancellationToken.None);

        var files = Directory.GetFiles(dir.Path, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, files.Length);
        Assert.Equal(firstBytes, await File.ReadAllBytesAsync(first));
        Assert.Equal(Enumerable.Range(10, 10).Select(i => (long)i), (await ReadSequencesAsync(files[1])).Sequences);
    }

    private static async Task<(long[] Sequences, DateTime[] Updated)> ReadSequencesAsync(string file)
    {
        await using var reader = await ParquetReader.CreateAsync(file);
        var seq = new List<long>();
        var updated = new List<DateTime>();
        var seqField = (DataField)reader.Schema.FindDataField("update_seq");
        var updatedField = (DataField)reader.Schema.FindDataField("cdp_last_updated");
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var rowGroup = reader.OpenRowGroupReader(g);
            var count = (int)rowGroup.RowCount;
            var s = new long[count];
            var u = new DateTime[count];
            await rowGroup.ReadAsync<long>(seqField, s.AsMemory());
            await rowGroup.ReadAsync<DateTime>(updatedField, u.AsMemory());
            seq.AddRange(s);
            updated.AddRange(u);
        }
        return ([.. seq], [.. updated]);
    }
}
