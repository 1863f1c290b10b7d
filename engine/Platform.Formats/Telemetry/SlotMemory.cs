using System.Runtime.InteropServices;

namespace Platform.Formats;

/// <summary>
/// Zeroed native memory for hash-table slots that are read at random places: blocks of 2 MiB and more are aligned
/// to 2 MiB and, on Linux, advised for transparent huge pages (MADV_HUGEPAGE), so a few TLB entries cover a table
/// of megabytes. Elsewhere, or when the advice is refused, it is plain memory.
/// </summary>
internal static unsafe partial class SlotMemory
{
    private const nuint HugePage = 2 * 1024 * 1024;
    private const int MadvHugePage = 14;

    /// <summary>Set once madvise cannot be called here (no such entry point in the C library found as "libc").</summary>
    private static bool s_noAdvice;

    /// <summary>Allocates <paramref name="bytes"/> zeroed bytes; free with <see cref="Free"/>.</summary>
    public static void* Allocate(nuint bytes)
    {
        var huge = bytes >= HugePage;
        var p = NativeMemory.AlignedAlloc(bytes, huge ? HugePage : 64);
        // Advice before the first touch: the pages are then faulted in as huge pages. Failure only costs speed.
        if (huge && OperatingSystem.IsLinux() && !s_noAdvice) TryAdvise(p, bytes);
        NativeMemory.Clear(p, bytes);
        return p;
    }

    /// <summary>Frees memory from <see cref="Allocate"/> (null is ignored).</summary>
    public static void Free(void* p)
    {
        if (p != null) NativeMemory.AlignedFree(p);
    }

    private static void TryAdvise(void* p, nuint bytes)
    {
        try
        {
            _ = Advise(p, bytes, MadvHugePage);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_noAdvice = true; // plain pages: slower lookups, same results
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Advise(void* address, nuint length, int advice);
}
