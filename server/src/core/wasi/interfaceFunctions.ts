/**
 * What the functions of WASI 0.2 interfaces (and the proposals teams use) do, one line each, for
 * hovers on a component's imports. Keyed by the unversioned interface and the function's name as
 * the component names it (`[method]descriptor.open-at`). Written for this project from the WIT
 * definitions' behaviour; functions not listed show their signature only.
 */
const FUNCTIONS: Record<string, Record<string, string>> = {
  'wasi:cli/environment': {
    'get-environment': 'Returns every environment variable the host passes in, as name/value pairs.',
    'get-arguments': 'Returns the command-line arguments.',
    'initial-cwd': 'Returns the working directory the host suggests, if any.',
  },
  'wasi:cli/exit': { exit: 'Ends the component with success or failure; it does not return.' },
  'wasi:cli/stdin': { 'get-stdin': 'Returns the input stream of standard input.' },
  'wasi:cli/stdout': { 'get-stdout': 'Returns the output stream of standard output.' },
  'wasi:cli/stderr': { 'get-stderr': 'Returns the output stream of standard error.' },
  'wasi:cli/run': { run: "The command's entry point: the host calls it once." },
  'wasi:clocks/wall-clock': {
    now: 'Reads the current date and time (seconds and nanoseconds since the Unix epoch).',
    resolution: 'Reads the resolution of the wall clock.',
  },
  'wasi:clocks/monotonic-clock': {
    now: 'Reads the monotonic clock, in nanoseconds.',
    resolution: 'Reads the resolution of the monotonic clock.',
    'subscribe-instant': 'Creates a pollable that becomes ready at a given clock value.',
    'subscribe-duration': 'Creates a pollable that becomes ready after a duration.',
  },
  'wasi:filesystem/preopens': {
    'get-directories': 'Lists the directories the host preopened, each with the path it is known by.',
  },
  'wasi:filesystem/types': {
    '[method]descriptor.read-via-stream': 'Opens a stream that reads the file from an offset.',
    '[method]descriptor.write-via-stream': 'Opens a stream that writes the file from an offset.',
    '[method]descriptor.append-via-stream': 'Opens a stream that appends to the file.',
    '[method]descriptor.advise': 'Tells the host how the file will be accessed.',
    '[method]descriptor.sync-data': "Flushes the file's data to storage.",
    '[method]descriptor.get-flags': 'Reads the flags the descriptor was opened with.',
    '[method]descriptor.get-type': 'Tells whether the descriptor is a file, a directory, a link…',
    '[method]descriptor.set-size': 'Truncates or extends the file.',
    '[method]descriptor.set-times': "Changes the file's access and modification times.",
    '[method]descriptor.read': 'Reads bytes from the file at an offset.',
    '[method]descriptor.write': 'Writes bytes into the file at an offset.',
    '[method]descriptor.read-directory': "Opens a stream of the directory's entries.",
    '[method]descriptor.sync': "Flushes the file's data and metadata to storage.",
    '[method]descriptor.create-directory-at': 'Creates a directory under this one.',
    '[method]descriptor.stat': "Reads the file's metadata (type, size, times).",
    '[method]descriptor.stat-at': 'Reads the metadata of a path under this directory.',
    '[method]descriptor.set-times-at': 'Changes the times of a path under this directory.',
    '[method]descriptor.link-at': 'Creates a hard link.',
    '[method]descriptor.open-at':
      'Opens (or creates, or truncates) a file or directory under this directory.',
    '[method]descriptor.readlink-at': 'Reads the target of a symbolic link.',
    '[method]descriptor.remove-directory-at': 'Removes an empty directory.',
    '[method]descriptor.rename-at': 'Renames or moves a file or directory.',
    '[method]descriptor.symlink-at': 'Creates a symbolic link.',
    '[method]descriptor.unlink-file-at': 'Deletes a file.',
    '[method]descriptor.is-same-object': 'Tells whether two descriptors name the same file.',
    '[method]descriptor.metadata-hash': "Reads a hash identifying the file's metadata.",
    '[method]descriptor.metadata-hash-at': "Reads a hash identifying a path's metadata.",
    '[method]directory-entry-stream.read-directory-entry': 'Reads the next directory entry.',
    'filesystem-error-code': 'Tells whether a stream error came from the filesystem, and which.',
  },
  'wasi:io/streams': {
    '[method]input-stream.read': 'Reads the bytes available now, without waiting.',
    '[method]input-stream.blocking-read': 'Reads bytes, waiting until some are available.',
    '[method]input-stream.skip': 'Skips bytes without reading them.',
    '[method]input-stream.blocking-skip': 'Skips bytes, waiting until some are available.',
    '[method]input-stream.subscribe': 'Creates a pollable that is ready when bytes can be read.',
    '[method]output-stream.check-write': 'Tells how many bytes can be written now.',
    '[method]output-stream.write': 'Writes bytes without waiting.',
    '[method]output-stream.blocking-write-and-flush': 'Writes bytes and waits until they are flushed.',
    '[method]output-stream.flush': 'Starts flushing written bytes.',
    '[method]output-stream.blocking-flush': 'Flushes written bytes and waits.',
    '[method]output-stream.subscribe': 'Creates a pollable that is ready when bytes can be written.',
    '[method]output-stream.write-zeroes': 'Writes zero bytes without waiting.',
    '[method]output-stream.blocking-write-zeroes-and-flush': 'Writes zero bytes and waits until flushed.',
    '[method]output-stream.splice': 'Copies bytes from an input stream.',
    '[method]output-stream.blocking-splice': 'Copies bytes from an input stream, waiting for them.',
  },
  'wasi:io/error': { '[method]error.to-debug-string': 'Describes the error for debugging.' },
  'wasi:io/poll': {
    poll: 'Waits until at least one of the pollables is ready.',
    '[method]pollable.ready': 'Tells whether the pollable is ready, without waiting.',
    '[method]pollable.block': 'Waits until the pollable is ready.',
  },
  'wasi:random/random': {
    'get-random-bytes': 'Reads cryptographically secure random bytes.',
    'get-random-u64': 'Reads a cryptographically secure random number.',
  },
  'wasi:random/insecure': {
    'get-insecure-random-bytes': 'Reads fast random bytes (not for secrets).',
    'get-insecure-random-u64': 'Reads a fast random number (not for secrets).',
  },
  'wasi:random/insecure-seed': { 'insecure-seed': 'Reads a seed for hash-map randomisation.' },
  'wasi:sockets/instance-network': { 'instance-network': 'Returns the network handle the host grants.' },
  'wasi:sockets/ip-name-lookup': {
    'resolve-addresses': 'Starts resolving a host name to IP addresses (DNS).',
    '[method]resolve-address-stream.resolve-next-address': 'Reads the next resolved address.',
  },
  'wasi:sockets/tcp-create-socket': { 'create-tcp-socket': 'Creates a TCP socket (IPv4 or IPv6).' },
  'wasi:sockets/udp-create-socket': { 'create-udp-socket': 'Creates a UDP socket (IPv4 or IPv6).' },
  'wasi:sockets/tcp': {
    '[method]tcp-socket.start-bind': 'Starts binding the socket to a local address.',
    '[method]tcp-socket.start-connect': 'Starts connecting to a remote address.',
    '[method]tcp-socket.finish-connect': 'Completes a connection: returns its input and output streams.',
    '[method]tcp-socket.start-listen': 'Starts listening for incoming connections.',
    '[method]tcp-socket.accept': 'Accepts an incoming connection.',
    '[method]tcp-socket.shutdown': 'Shuts down reading, writing or both.',
  },
  'wasi:sockets/udp': {
    '[method]udp-socket.start-bind': 'Starts binding the socket to a local address.',
    '[method]udp-socket.stream': 'Sets the remote address and returns datagram streams.',
    '[method]incoming-datagram-stream.receive': 'Receives datagrams.',
    '[method]outgoing-datagram-stream.send': 'Sends datagrams.',
  },
  'wasi:http/outgoing-handler': {
    handle: 'Sends an HTTP request to any host and returns the future response.',
  },
  'wasi:http/incoming-handler': { handle: 'Handles one incoming HTTP request (the host calls it).' },
  'wasi:http/types': {
    '[constructor]outgoing-request': 'Creates a request to send.',
    '[method]outgoing-request.set-authority': 'Sets the host the request goes to.',
    '[method]outgoing-request.set-path-with-query': "Sets the request's path and query.",
    '[method]outgoing-request.body': "Returns the request's body to write.",
    '[method]incoming-request.headers': "Reads the request's headers.",
    '[method]incoming-request.consume': "Returns the request's body to read.",
    '[method]future-incoming-response.get': 'Returns the response, if it has arrived.',
    '[static]response-outparam.set': 'Sends the response to an incoming request.',
  },
  'wasi:keyvalue/store': {
    open: 'Opens a bucket (a key-value namespace) by name.',
    '[method]bucket.get': 'Reads the value of a key.',
    '[method]bucket.set': 'Writes the value of a key.',
    '[method]bucket.delete': 'Deletes a key.',
    '[method]bucket.exists': 'Tells whether a key exists.',
    '[method]bucket.list-keys': 'Lists the keys, a page at a time.',
  },
  'wasi:keyvalue/atomics': {
    increment: 'Adds to a numeric value atomically.',
    cas: 'Compares and swaps a value atomically.',
  },
  'wasi:keyvalue/batch': {
    'get-many': 'Reads several keys at once.',
    'set-many': 'Writes several keys at once.',
    'delete-many': 'Deletes several keys at once.',
  },
  'wasi:config/store': {
    get: 'Reads one configuration value by key.',
    'get-all': 'Reads every configuration value.',
  },
  'wasi:config/runtime': {
    get: 'Reads one configuration value by key.',
    'get-all': 'Reads every configuration value.',
  },
  'wasi:logging/logging': { log: 'Writes a log message at a level, in a context.' },
  'wasi:messaging/producer': { send: 'Publishes messages to a channel.' },
  'wasi:messaging/consumer': {
    subscribe: 'Subscribes to a channel.',
    unsubscribe: 'Unsubscribes from a channel.',
  },
  'wasi:messaging/request-reply': { request: 'Sends a message and waits for replies.' },
  'wasi:messaging/incoming-handler': { handle: 'Handles one incoming message (the host calls it).' },
  'wasi:blobstore/blobstore': {
    'create-container': 'Creates a container of blobs.',
    'get-container': 'Opens a container by name.',
    'delete-container': 'Deletes a container and its blobs.',
    'container-exists': 'Tells whether a container exists.',
    'copy-object': 'Copies a blob.',
    'move-object': 'Moves a blob.',
  },
  'wasi:blobstore/container': {
    '[method]container.get-data': 'Reads a blob (or a byte range of it).',
    '[method]container.write-data': 'Writes a blob.',
    '[method]container.list-objects': 'Lists the blobs of the container.',
    '[method]container.delete-object': 'Deletes a blob.',
    '[method]container.clear': 'Deletes every blob of the container.',
  },
};

/** What a function of a WASI interface (`wasi:keyvalue/store@0.2.0-draft`) does, if described. */
export function describeInterfaceFunction(qualified: string, name: string): string | undefined {
  const at = qualified.indexOf('@');
  return FUNCTIONS[at < 0 ? qualified : qualified.slice(0, at)]?.[name];
}
