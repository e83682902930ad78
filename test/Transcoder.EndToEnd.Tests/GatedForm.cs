using System.Net;

namespace Transcoder.EndToEnd.Tests;

/// <summary>
/// A multipart upload that sends its file and the first field's headers (so the server has the whole file), then
/// waits for <c>gate</c> before the field values.
/// </summary>
public sealed class GatedForm : HttpContent
{
    private const string Boundary = "gated-form-boundary";
    private readonly byte[] _file;
    private readonly Task _gate;
    private readonly (string Name, string Value)[] _fields;

    public GatedForm(byte[] file, Task gate, params (string Name, string Value)[] fields)
    {
        (_file, _gate, _fields) = (file, gate, fields);
        Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.mp4\"\r\nContent-Type: video/mp4\r\n\r\n"));
        await stream.WriteAsync(_file);
        await stream.WriteAsync("\r\n"u8.ToArray());
        for (var i = 0; i < _fields.Length; i++)
        {
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{_fields[i].Name}\"\r\n\r\n"));
            if (i == 0)
            {
                await stream.FlushAsync();
                await _gate.WaitAsync(TimeSpan.FromMinutes(2));
            }

            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"{_fields[i].Value}\r\n"));
        }

        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"--{Boundary}--\r\n"));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
