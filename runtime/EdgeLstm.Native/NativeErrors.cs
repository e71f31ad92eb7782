using System.Runtime.InteropServices;
using System.Text;
using EdgeLstm.Runtime;

namespace EdgeLstm.Native;

/// <summary>
/// Runs an export body, turning every exception into a status code and a per-thread message: no exception
/// ever crosses the C boundary. The message stays valid until the thread's next failing call.
/// </summary>
internal static unsafe class NativeErrors
{
    [ThreadStatic] private static byte* _message;

    public static int Guard(Func<NativeStatus> body)
    {
        try
        {
            return (int)body();
        }
        catch (NativeException e) { return Fail(e.Status, e.Message); }
        catch (ModelFormatException e) { return Fail(NativeStatus.InvalidModel, e.Message); }
        catch (ObjectDisposedException e) { return Fail(NativeStatus.InvalidHandle, e.Message); } // a model freed on another thread meanwhile
        catch (FileNotFoundException e) { return Fail(NativeStatus.FileNotFound, e.Message); }
        catch (IOException e) { return Fail(NativeStatus.FileNotFound, e.Message); }
        catch (UnauthorizedAccessException e) { return Fail(NativeStatus.FileNotFound, e.Message); }
        catch (ArgumentException e) { return Fail(NativeStatus.InvalidArgument, e.Message); }
        catch (NotSupportedException e) { return Fail(NativeStatus.Unsupported, e.Message); }
        catch (Exception e) { return Fail(NativeStatus.Internal, $"internal error: {e.GetType().Name}: {e.Message}"); }
    }

    public static int Fail(NativeStatus status, string message)
    {
        if (_message != null) NativeMemory.Free(_message);
        byte[] utf8 = Encoding.UTF8.GetBytes(message.Replace('\n', ' '));
        _message = (byte*)NativeMemory.Alloc((nuint)utf8.Length + 1);
        utf8.CopyTo(new Span<byte>(_message, utf8.Length));
        _message[utf8.Length] = 0;
        return (int)status;
    }

    public static byte* LastMessage => _message;
}

/// <summary>A failure with a specific status code.</summary>
internal sealed class NativeException(NativeStatus status, string message) : Exception(message)
{
    public NativeStatus Status { get; } = status;
}
