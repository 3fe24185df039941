//! Where an export is written and read: a directory of files (`export --all
//! DIR`) or one zip file (`backup` on PostgreSQL).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Somewhere an export's files can be written one after another.
pub trait Writer {
    /// Starts the file `name`; the previous one is complete.
    fn create(&mut self, name: &str) -> io::Result<Box<dyn Write + '_>>;
    /// Completes the archive after its last file.
    fn finish(&mut self) -> io::Result<()>;
}

/// Somewhere an export's files can be read by name.
pub trait Reader {
    fn open(&mut self, name: &str) -> io::Result<Box<dyn Read + '_>>;
}

/// An export as a directory of files.
pub struct Directory(PathBuf);

impl Directory {
    /// A directory to write into: created when missing, refused when it
    /// already holds files (an export never mixes with another one).
    pub fn create(path: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(path)?;
        if std::fs::read_dir(path)?.next().is_some() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "the directory is not empty; choose a new one",
            ));
        }
        Ok(Self(path.to_path_buf()))
    }

    /// A directory to read from.
    pub fn open(path: &Path) -> Self {
        Self(path.to_path_buf())
    }
}

impl Writer for Directory {
    fn create(&mut self, name: &str) -> io::Result<Box<dyn Write + '_>> {
        Ok(Box::new(BufWriter::new(File::create(self.0.join(name))?)))
    }
    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Reader for Directory {
    fn open(&mut self, name: &str) -> io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(File::open(self.0.join(name))?))
    }
}

/// An export as one deflated zip file.
pub struct ZipWriter(Option<zip::ZipWriter<File>>);

impl ZipWriter {
    /// A new zip file; an existing file is never overwritten.
    pub fn create(path: &Path) -> io::Result<Self> {
        let file = File::create_new(path)?;
        Ok(Self(Some(zip::ZipWriter::new(file))))
    }
}

impl Writer for ZipWriter {
    fn create(&mut self, name: &str) -> io::Result<Box<dyn Write + '_>> {
        let zip = self.0.as_mut().ok_or_else(finished)?;
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file(name, options).map_err(io::Error::other)?;
        Ok(Box::new(zip))
    }
    fn finish(&mut self) -> io::Result<()> {
        let zip = self.0.take().ok_or_else(finished)?;
        zip.finish().map_err(io::Error::other)?.sync_all()
    }
}

fn finished() -> io::Error {
    io::Error::other("the archive is already finished")
}

/// A zip file written by [`ZipWriter`].
pub struct ZipReader(zip::ZipArchive<BufReader<File>>);

impl ZipReader {
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = BufReader::new(File::open(path)?);
        Ok(Self(zip::ZipArchive::new(file).map_err(io::Error::other)?))
    }
}

impl Reader for ZipReader {
    fn open(&mut self, name: &str) -> io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(self.0.by_name(name).map_err(io::Error::other)?))
    }
}
