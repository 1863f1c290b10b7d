using System.Globalization;
using System.IO.Hashing;

namespace Platform.Engine.Checkpoints;

/// <summary>What a checkpoint folder holds.</summary>
public enum CheckpointStatus
{
    /// <summary>Manifest present, every file there with its length and checksum.</summary>
    Complete,
    /// <summary>No manifest: the run stopped before the checkpoint completed.</summary>
    Partial,
    /// <summary>Manifest unreadable, or a file missing, truncated or failing its checksum.</summary>
    Corrupt,
}

/// <summary>One checkpoint folder, as <see cref="CheckpointStore.List"/> finds it.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Path">Its folder.</param>
/// <param name="Status">Complete, partial or corrupt.</param>
/// <param name="Manifest">Its manifest, when readable.</param>
/// <param name="Problem">Why it is partial or corrupt (naming the file), else null.</param>
/// <param name="BytesOnDisk">Bytes of every file in the folder.</param>
public sealed record CheckpointInfo(long Id, string Path, CheckpointStatus Status, CheckpointManifest? Manifest, string? Problem, long BytesOnDisk);

/// <summary>A verified checkpoint with its files' contents.</summary>
internal sealed record LoadedCheckpoint(CheckpointManifest Manifest, string Path, IReadOnlyDictionary<string, byte[]> Files);

/// <summary>
/// The checkpoint folder: <c>&lt;dir&gt;/chk-&lt;id&gt;/</c> with <c>worker-&lt;i&gt;.bin</c>,
/// <c>participant-&lt;name&gt;.bin</c> and, last, the <c>_checkpoint</c> manifest. Every file is written
/// to a temp name, fsynced and renamed, so a file is whole or absent; the manifest's checksums catch
/// anything that changed afterwards.
/// </summary>
public sealed class CheckpointStore
{
    /// <summary>The manifest's file name.</summary>
    public const string ManifestName = "_checkpoint";
    private const string Prefix = "chk-";

    /// <summary>A store over <paramref name="directory"/> (not created until the first write).</summary>
    public CheckpointStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = System.IO.Path.GetFullPath(directory);
    }

    /// <summary>The folder (full path).</summary>
    public string Directory { get; }

    /// <summary>The folder of checkpoint <paramref name="id"/>.</summary>
    public string PathOf(long id) => System.IO.Path.Combine(Directory, Prefix + id.ToString(CultureInfo.InvariantCulture));

    /// <summary>Ids of every checkpoint folder, ascending.</summary>
    public IReadOnlyList<long> Ids()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var ids = new List<long>();
        foreach (var d in System.IO.Directory.EnumerateDirectories(Directory, Prefix + "*"))
        {
            var name = System.IO.Path.GetFileName(d);
            if (long.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) ids.Add(id);
        }
        ids.Sort();
        return ids;
    }

    /// <summary>Every checkpoint, newest first, each verified (checksums read) when <paramref name="verify"/>.</summary>
    public IReadOnlyList<CheckpointInfo> List(bool verify = true) =>
        [.. Ids().Reverse().Select(id => Inspect(id, verify, keep: null))];

    /// <summary>Inspects one checkpoint folder.</summary>
    public CheckpointInfo Inspect(long id, bool verify = true) => Inspect(id, verify, keep: null);

    private CheckpointInfo Inspect(long id, bool verify, Dictionary<string, byte[]>? keep)
    {
        var path = PathOf(id);
        long onDisk = 0;
        try
        {
            onDisk = new DirectoryInfo(path).EnumerateFiles().Sum(f => f.Length);
        }
        catch (IOException) { }
        var manifestPath = System.IO.Path.Combine(path, ManifestName);
        if (!File.Exists(manifestPath))
            return new(id, path, CheckpointStatus.Partial, null, $"{manifestPath}: missing (the run stopped before checkpoint {id} completed)", onDisk);
        CheckpointManifest manifest;
        try
        {
            manifest = CheckpointManifest.FromJson(File.ReadAllBytes(manifestPath));
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return new(id, path, CheckpointStatus.Corrupt, null, $"{manifestPath}: {e.Message}", onDisk);
        }
        if (manifest.Id != id)
            return new(id, path, CheckpointStatus.Corrupt, manifest, $"{manifestPath}: says checkpoint {manifest.Id}, folder is {id}", onDisk);
        if (!verify) return new(id, path, CheckpointStatus.Complete, manifest, null, onDisk);
        foreach (var f in manifest.Files)
        {
            var file = System.IO.Path.Combine(path, f.Name);
            if (!File.Exists(file)) return new(id, path, CheckpointStatus.Corrupt, manifest, $"{file}: missing", onDisk);
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (IOException e)
            {
                return new(id, path, CheckpointStatus.Corrupt, manifest, $"{file}: unreadable ({e.Message})", onDisk);
            }
            if (bytes.Length != f.Bytes)
                return new(id, path, CheckpointStatus.Corrupt, manifest, $"{file}: {bytes.Length} bytes, the manifest says {f.Bytes}", onDisk);
            var hash = XxHash64.HashToUInt64(bytes);
            if (hash != f.Hash)
                return new(id, path, CheckpointStatus.Corrupt, manifest, $"{file}: checksum mismatch (xxhash64 {hash:x16}, the manifest says {f.Hash:x16})", onDisk);
            keep?.Add(f.Name, bytes);
        }
        return new(id, path, CheckpointStatus.Complete, manifest, null, onDisk);
    }

    /// <summary>
    /// The newest complete checkpoint whose files verify, with their contents; every newer one that does not
    /// is reported to <paramref name="log"/> with the file and the reason. Null when there is none.
    /// </summary>
    internal LoadedCheckpoint? LoadLatest(Action<string>? log)
    {
        foreach (var id in Ids().Reverse())
        {
            var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            var info = Inspect(id, verify: true, files);
            if (info.Status == CheckpointStatus.Complete) return new LoadedCheckpoint(info.Manifest!, info.Path, files);
            log?.Invoke($"checkpoint {id} skipped ({info.Status.ToString().ToLowerInvariant()}): {info.Problem}; falling back to an older one");
        }
        return null;
    }

    /// <summary>Checkpoint <paramref name="id"/> with its files' contents when it is complete and verifies, else null.</summary>
    internal LoadedCheckpoint? Load(long id)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var info = Inspect(id, verify: true, files);
        return info.Status == CheckpointStatus.Complete ? new LoadedCheckpoint(info.Manifest!, info.Path, files) : null;
    }

    /// <summary>Creates the folder of checkpoint <paramref name="id"/> (if missing) and returns it.</summary>
    internal string Prepare(long id)
    {
        var path = PathOf(id);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Writes the manifest atomically (temp, fsync, rename): the checkpoint is complete once this returns.</summary>
    internal void WriteManifest(CheckpointManifest manifest)
    {
        var path = System.IO.Path.Combine(Prepare(manifest.Id), ManifestName);
        using var writer = new HashingFileWriter(path);
        var json = manifest.ToJson();
        json.CopyTo(writer.GetSpan(json.Length));
        writer.Advance(json.Length);
        writer.Commit();
    }

    /// <summary>
    /// Keeps the newest <paramref name="retain"/> complete checkpoints (judged by their manifests) and deletes
    /// every folder older than the oldest kept one — complete, partial or corrupt. Newer folders (in progress) stay.
    /// Returns the ids deleted.
    /// </summary>
    internal IReadOnlyList<long> ApplyRetention(int retain, Action<string>? log)
    {
        var ids = Ids();
        var complete = ids.Where(id => File.Exists(System.IO.Path.Combine(PathOf(id), ManifestName))).Reverse().Take(retain).ToList();
        if (complete.Count < retain) return [];
        var oldestKept = complete[^1];
        var deleted = new List<long>();
        foreach (var id in ids)
        {
            if (id >= oldestKept) break;
            try
            {
                System.IO.Directory.Delete(PathOf(id), recursive: true);
                deleted.Add(id);
            }
            catch (IOException e)
            {
                log?.Invoke($"checkpoint {id}: could not delete {PathOf(id)} ({e.Message})");
            }
        }
        return deleted;
    }
}
