package org.dtheta.spark;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A folder reached through Hadoop's FileSystem API ({@code file://}, {@code hdfs://}, {@code
 * s3a://}, ...), where the jobs' outputs go: a Zarr v2 group (JSON metadata and one file per
 * chunk), a remote sweep's runs. Every file is written under a temporary name and renamed, so it
 * is complete or absent.
 *
 * @param root the folder's URI
 * @param hadoop the Hadoop settings the driver had (credentials, endpoints), for the executors
 */
record HadoopFolder(String root, Map<String, String> hadoop) implements Serializable {

  static final Gson JSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls()
      .serializeSpecialFloatingPointValues().create();

  /** The folder at {@code out}: a URI with a scheme, or a local path. */
  static HadoopFolder at(String out, Configuration conf) {
    String root = scheme(out) != null ? out
        : java.nio.file.Path.of(out).toAbsolutePath().normalize().toUri().toString();
    Map<String, String> settings = new HashMap<>();
    for (Map.Entry<String, String> e : conf) {
      settings.put(e.getKey(), e.getValue());
    }
    return new HadoopFolder(root, settings);
  }

  /** The URI scheme of {@code out} ({@code hdfs}, {@code file}, ...), or null for a local path. */
  static String scheme(String out) {
    int colon = out.indexOf(':');
    // one letter before the colon is a Windows drive, not a scheme
    return colon > 1 && out.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")
        ? out.substring(0, colon).toLowerCase(java.util.Locale.ROOT) : null;
  }

  /**
   * The file system of the store; the local one without checksums, since Hadoop's default for
   * {@code file://} writes a {@code .crc} file beside each chunk that Zarr readers would list.
   */
  FileSystem fileSystem() throws IOException {
    Configuration conf = new Configuration(false);
    hadoop.forEach(conf::set);
    FileSystem fs = FileSystem.get(URI.create(root), conf);
    return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
  }

  /** The path of {@code name} (e.g. {@code step_0/3.0}) in the folder. */
  Path path(String name) {
    return name.isEmpty() ? new Path(root) : new Path(new Path(root), name);
  }

  /** Whether {@code name} exists; its length, or -1 if it does not. */
  long length(FileSystem fs, String name) throws IOException {
    Path p = path(name);
    if (!fs.exists(p)) {
      return -1;
    }
    FileStatus s = fs.getFileStatus(p);
    return s.isFile() ? s.getLen() : -1;
  }

  /** Writes {@code name} as JSON (pretty-printed, as zarr-python does). */
  void writeJson(FileSystem fs, String name, Object value) throws IOException {
    write(fs, name, (JSON.toJson(value) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Copies {@code name} to the local file {@code to}, if it exists; returns whether it did. */
  boolean download(FileSystem fs, String name, java.nio.file.Path to) throws IOException {
    if (length(fs, name) < 0) {
      return false;
    }
    java.nio.file.Files.createDirectories(to.toAbsolutePath().getParent());
    try (var in = fs.open(path(name))) {
      java.nio.file.Files.copy(in, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return true;
  }

  /** Reads {@code name} as text. */
  String readString(FileSystem fs, String name) throws IOException {
    try (var in = fs.open(path(name))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * Writes {@code bytes} to {@code name} under a temporary name in the same folder, then renames
   * it: readers never see part of a file, and a retried task simply writes it again.
   */
  void write(FileSystem fs, String name, byte[] bytes) throws IOException {
    write(fs, name, out -> out.write(bytes));
  }

  /** Copies the local file {@code from} to {@code name}, as {@link #write(FileSystem, String, byte[])}. */
  void upload(FileSystem fs, java.nio.file.Path from, String name) throws IOException {
    write(fs, name, out -> java.nio.file.Files.copy(from, out));
  }

  /** Writes a file's content to a stream. */
  @FunctionalInterface
  interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  private void write(FileSystem fs, String name, Content content) throws IOException {
    Path target = path(name);
    Path tmp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    try (OutputStream out = fs.create(tmp, true)) {
      content.writeTo(out);
    }
    if (fs.exists(target)) {
      fs.delete(target, false); // only the job's own files get here: it checked the folder first
    }
    if (!fs.rename(tmp, target)) {
      fs.delete(tmp, false);
      throw new IOException(target + ": could not rename " + tmp + " into place");
    }
  }
}
