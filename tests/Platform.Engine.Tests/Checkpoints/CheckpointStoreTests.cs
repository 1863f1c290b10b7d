using System.Buffers;
using System.IO.Hashing;
using Platform.Engine.Checkpoints;

namespace Platform.Engine.Tests.Checkpoints;

public sealed class CheckpointStoreTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void HashingFileWriter_Commit_RenamesAndLeavesNoTempFile()
    {
        var path = Path.Combine(_dir.Path, "a.bin");
        using (var w = new HashingFileWriter(path))
        {
            for (var i = 0; i < 300_000; i++) w.Write<byte>([(byte)i, (byte)(i >> 8), 7]);
            Assert.False(File.Exists(path), "nothing under the final name before the commit");
            var (bytes, hash) = w.Commit();
            Assert.Equal(900_000, bytes);
            Assert.Equal(XxHash64.HashToUInt64(File.ReadAllBytes(path)), hash);
        }
        Assert.Equal(["a.bin"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void HashingFileWriter_DisposedWithoutCommit_LeavesNothing()
    {
        var path = Path.Combine(_dir.Path, "b.bin");
        File.WriteAllText(path, "old");
        using (var w = new HashingFileWriter(path)) w.Write<byte>([1, 2, 3]);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void WorkerStateFile_OtherVersion_FailsNamingFileAndVersions()
    {
        var buffer = new ArrayBufferWriter<byte>();
        WorkerStateFile.WriteHeader(buffer, 4, 1, 2);
        var bytes = buffer.WrittenSpan.ToArray();
        bytes[4] = 99;
        var e = Assert.Throws<InvalidDataException>(() => WorkerStateFile.Read("chk-4/worker-1.bin", bytes, 4, 1, 2));
        Assert.Equal("chk-4/worker-1.bin: worker state format version 99 is not supported; this build reads version 1.", e.Message);
    }

    [Fact]
    public void Manifest_RoundTripsThroughJson()
    {
        var m = new CheckpointManifest(7, DateTimeOffset.UnixEpoch, "p", "a → b", 2, "file", [[1, 2, 3], []],
            [new CheckpointFile("worker-0.bin", 10, ulong.MaxValue)], 1, 12.5, 0.25);
        var back = CheckpointManifest.FromJson(m.ToJson());
        Assert.Equal(m.Id, back.Id);
        Assert.Equal(m.Files, back.Files);
        Assert.Equal(m.Positions.Select(p => p.ToArray()), back.Positions.Select(p => p.ToArray()));
        Assert.Equal(m.Fingerprint, back.Fingerprint);
    }

    [Fact]
    public void Inspect_ManifestGarbage_IsCorruptNamingTheFile()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir.Path, "chk-1")).FullName;
        File.WriteAllText(Path.Combine(dir, CheckpointStore.ManifestName), "{ not json");
        var info = new CheckpointStore(_dir.Path).Inspect(1);
        Assert.Equal(CheckpointStatus.Corrupt, info.Status);
        Assert.Contains(Path.Combine(dir, CheckpointStore.ManifestName), info.Problem);
    }
}
