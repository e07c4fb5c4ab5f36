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
                let value = args.next().unwrap_or_else(|| fail("-n needs a number"));
                options.lines = value.parse().unwrap_or_else(|_| fail("-n needs a number"));
            }
            "-f" => options.follow = true,
            _ => options.path = arg,
        }
    }
    options
}

fn fail(message: &str) -> ! {
    eprintln!("tail: {}", message);
    process::exit(2);
}

fn main() {
    let options = parse_args();
    if options.path.is_empty() {
        eprintln!("usage: tail [-n N] [-f] FILE");
        process::exit(2);
    }
    println!("{} {} {}", options.path, options.lines, options.follow);
}
