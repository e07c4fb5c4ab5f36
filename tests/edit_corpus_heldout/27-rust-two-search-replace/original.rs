use std::env;
use std::process;

struct Options {
    path: String,
    lines: usize,
    follow: bool,
}

fn parse_args() -> Options {
    let mut args = env::args().skip(1);
    let mut options = Options { path: String::new(), lines: 10, follow: false };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-n" => {
                let value = args.next().unwrap();
                options.lines = value.parse().unwrap();
            }
            "-f" => options.follow = true,
            _ => options.path = arg,
        }
    }
    options
}

fn main() {
    let options = parse_args();
    if options.path.is_empty() {
        eprintln!("usage: tail [-n N] [-f] FILE");
        process::exit(2);
    }
    println!("{} {} {}", options.path, options.lines, options.follow);
}
