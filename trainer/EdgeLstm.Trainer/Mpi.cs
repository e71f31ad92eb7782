using System.Runtime.InteropServices;

namespace EdgeLstm.Trainer;

/// <summary>
/// The ten MPI calls data-parallel training needs, bound by hand against Open MPI's <c>libmpi.so.40</c>
/// (Debian 12: <c>apt-get install openmpi-bin libopenmpi-dev</c>; Open MPI 4.x).
/// <para>Why not the NuGet package <c>MPI.NET</c> 1.4.0: it restores and builds on .NET 10, but every P/Invoke in it names
/// <c>msmpi.dll</c> (Microsoft MPI, Windows) and it passes MS-MPI's handles, which are 32-bit integer constants
/// (MPI_COMM_WORLD = 0x44000000). Open MPI's handles are pointers to exported globals, so even redirecting the library
/// name would hand Open MPI garbage; under mpirun it dies with DllNotFoundException 'msmpi.dll' (checked 2026-12).
/// Binding the few calls ourselves is ~100 lines with no package, and the handles are looked up as Open MPI defines
/// them: <c>MPI_COMM_WORLD</c> is <c>&amp;ompi_mpi_comm_world</c>, <c>MPI_FLOAT</c> is <c>&amp;ompi_mpi_float</c>,
/// <c>MPI_SUM</c> is <c>&amp;ompi_mpi_op_sum</c> (mpi.h), i.e. the addresses of exported symbols.</para>
/// <para>Loading: libmpi opens its components (mca_*.so) with dlopen, and in Open MPI builds where those resolve
/// symbols of libmpi itself, libmpi must be loaded RTLD_GLOBAL (mpi4py does so); NativeLibrary.Load does not, so dlopen
/// is called directly. (Debian 12's Open MPI 4.1.4 also ran without it: a precaution, not a measured need.)
/// MPICH and Open MPI 5 would need other symbol names and are not supported here.</para>
/// <para>Threads: the epoch loop may run a batch on a progress-bar thread, so MPI is started as
/// MPI_THREAD_SERIALIZED (calls from any thread, never two at once), which the trainer honours.</para>
/// </summary>
internal static unsafe class Mpi
{
    public const string Library = "libmpi.so.40";
    private const int Success = 0;
    private const int ThreadSerialized = 2; // MPI_THREAD_SERIALIZED in Open MPI's mpi.h
    private const int RtldNow = 2, RtldGlobal = 0x100;

    private static readonly nint Handle = Open();
    public static readonly nint CommWorld = NativeLibrary.GetExport(Handle, "ompi_mpi_comm_world");
    public static readonly nint Float = NativeLibrary.GetExport(Handle, "ompi_mpi_float");
    public static readonly nint Double = NativeLibrary.GetExport(Handle, "ompi_mpi_double");
    public static readonly nint Byte = NativeLibrary.GetExport(Handle, "ompi_mpi_byte");
    public static readonly nint Sum = NativeLibrary.GetExport(Handle, "ompi_mpi_op_sum");

    private static readonly delegate* unmanaged<int*, int> initialized = (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
    private static readonly delegate* unmanaged<int*, int> finalized = (delegate* unmanaged<int*, int>)Export("MPI_Finalized");
    private static readonly delegate* unmanaged<int*, nint, int, int*, int> initThread = (delegate* unmanaged<int*, nint, int, int*, int>)Export("MPI_Init_thread");
    private static readonly delegate* unmanaged<int> finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
    private static readonly delegate* unmanaged<nint, int*, int> commRank = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_rank");
    private static readonly delegate* unmanaged<nint, int*, int> commSize = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_size");
    private static readonly delegate* unmanaged<void*, int, nint, int, nint, int> bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Export("MPI_Bcast");
    private static readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> allreduce =
        (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)Export("MPI_Allreduce");
    private static readonly delegate* unmanaged<nint, int> barrier = (delegate* unmanaged<nint, int>)Export("MPI_Barrier");
    private static readonly delegate* unmanaged<nint, int, int> abort = (delegate* unmanaged<nint, int, int>)Export("MPI_Abort");

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern nint DlOpen(string file, int mode);

    private static nint Open()
    {
        nint handle = DlOpen(Library, RtldNow | RtldGlobal);
        if (handle == 0)
            throw new InvalidOperationException($"--distributed needs Open MPI's {Library} (Debian: apt-get install openmpi-bin libopenmpi-dev), and it did not load");
        return handle;
    }

    private static nint Export(string name) => NativeLibrary.GetExport(Handle, name);

    private static void Check(int code, string call)
    {
        if (code != Success) throw new InvalidOperationException($"{call} failed with MPI error {code}");
    }

    /// <summary>MPI_Init_thread(SERIALIZED) unless already started; the rank and the number of ranks in MPI_COMM_WORLD.</summary>
    public static (int Rank, int Size) Init()
    {
        int flag, provided, rank, size;
        Check(initialized(&flag), "MPI_Initialized");
        if (flag == 0)
        {
            Check(initThread(null, 0, ThreadSerialized, &provided), "MPI_Init_thread");
            if (provided < ThreadSerialized) throw new InvalidOperationException($"this MPI gives thread level {provided}, the trainer needs MPI_THREAD_SERIALIZED");
        }
        Check(commRank(CommWorld, &rank), "MPI_Comm_rank");
        Check(commSize(CommWorld, &size), "MPI_Comm_size");
        return (rank, size);
    }

    public static void Shutdown()
    {
        int flag;
        if (finalized(&flag) == Success && flag == 0) finalize();
    }

    public static void Broadcast<T>(Span<T> data, nint type, int root = 0) where T : unmanaged
    {
        fixed (T* p = data) Check(bcast(p, data.Length, type, root, CommWorld), "MPI_Bcast");
    }

    public static void AllReduceSum<T>(ReadOnlySpan<T> send, Span<T> receive, nint type) where T : unmanaged
    {
        if (send.Length != receive.Length) throw new ArgumentException("all-reduce buffers differ in length");
        fixed (T* s = send)
        fixed (T* r = receive)
            Check(allreduce(s, r, send.Length, type, Sum, CommWorld), "MPI_Allreduce");
    }

    public static void Barrier() => Check(barrier(CommWorld), "MPI_Barrier");

    /// <summary>Ends every rank of the job (mpirun reports it); does not return.</summary>
    public static void Abort(int code) => abort(CommWorld, code);
}
