using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Platform.Connectors.DurableLog;

/// <summary>
/// Forces a file's data to stable storage. On Linux <c>fdatasync</c>: it flushes the data and only the metadata
/// needed to read it back (the size), not timestamps — so an append into space already allocated and zero-filled
/// (see DurableLog's preallocation) needs no filesystem journal commit, which on a shared disk waits behind every
/// other writer's metadata. Elsewhere <see cref="RandomAccess.FlushToDisk"/> (fsync / FlushFileBuffers).
/// </summary>
internal static partial class DataSync
{
    /// <summary>Flushes <paramref name="handle"/>'s data (and its size) to the device.</summary>
    /// <exception cref="IOException">The flush failed (the data may not be durable).</exception>
    public static void Flush(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }
        if (Fdatasync(handle) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"fdatasync failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int Fdatasync(SafeFileHandle fd);
}
