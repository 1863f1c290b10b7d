using System.Runtime.InteropServices;
using Platform.Engine.Memory;

namespace Platform.Formats;

/// <summary>
/// Zeroed native memory for hash-table slots that are read at random places: blocks of 2 MiB and more are aligned
/// to 2 MiB and, on Linux, advised for transparent huge pages (MADV_HUGEPAGE), so a few TLB entries cover a table
/// of megabytes. Elsewhere, or when the advice is refused, it is plain memory.
/// </summary>
internal static unsafe class SlotMemory
{
    /// <summary>Allocates <paramref name="bytes"/> zeroed bytes; free with <see cref="Free"/>.</summary>
    public static void* Allocate(nuint bytes)
    {
        var huge = bytes >= LargeArray.HugePage;
        var p = NativeMemory.AlignedAlloc(bytes, huge ? LargeArray.HugePage : 64);
        // Advice before the first touch: the pages are then faulted in as huge pages. Failure only costs speed.
        if (huge) LargeArray.TryAdvise(p, bytes);
        NativeMemory.Clear(p, bytes);
        return p;
    }

    /// <summary>Frees memory from <see cref="Allocate"/> (null is ignored).</summary>
    public static void Free(void* p)
    {
        if (p != null) NativeMemory.AlignedFree(p);
    }
}
