# bash completion for panoptes(1)
#
# Installed by `make install` as share/bash-completion/completions/panoptes.
# SPDX-License-Identifier: MIT

_panoptes()
{
	local cur prev cmd i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	local commands="serve worker user signatures scan file url domain ip analysis
		relations comments comment vote download search help"
	local client="--server --apikey --output -o --fields --threshold -t --timeout --retries
		--cacert --verbose -v --quiet -q --help -h"
	local common="--data --config --set --help -h"

	cmd=""
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi

	case $prev in
	-o|--output)
		COMPREPLY=($(compgen -W "text json jsonl csv" -- "$cur")); return ;;
	--data|--cacert|--config|-O|--output-file)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--server|--apikey|--fields|--threshold|-t|--timeout|--retries|--limit|--set|\
	--listen|--workers|--jobs|-j|--upload-url-above|--page-size)
		return ;;
	esac

	local opts=""
	case $cmd in
	serve) opts="$common --listen --workers" ;;
	worker) opts="$common --notify-fd --sandbox" ;;
	user) opts="$common --admin --download add" ;;
	signatures) opts="--data reload --help" ;;
	scan) opts="$common $client --jobs -j --remote --rescan --upload-url-above" ;;
	file|domain|ip) opts="$client" ;;
	url) opts="$client --scan" ;;
	analysis) opts="$client --wait" ;;
	relations) opts="$client --limit --all --page-size --descriptors" ;;
	comments|search) opts="$client --limit --all --page-size" ;;
	comment) opts="$client" ;;
	vote) opts="$client harmless malicious" ;;
	download) opts="$client -O --output-file" ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	case $cmd in
	relations|comments|comment|vote)
		# The first positional argument is the object type.
		local n=0
		for ((i = 1; i < COMP_CWORD; i++)); do
			[[ ${COMP_WORDS[i]} != -* ]] && n=$((n + 1))
		done
		if ((n == 1)); then
			COMPREPLY=($(compgen -W "file url domain ip analysis comment collection" -- "$cur"))
		elif [[ $cmd == vote ]] && ((n == 3)); then
			COMPREPLY=($(compgen -W "harmless malicious" -- "$cur"))
		elif [[ $cmd == relations ]] && ((n == 3)); then
			COMPREPLY=($(compgen -W "analyses submissions comments votes bundled_files
				contacted_domains contacted_ips contacted_urls dropped_files
				embedded_domains embedded_ips embedded_urls execution_parents
				compressed_parents similar_files behaviours resolutions subdomains
				communicating_files downloaded_files referrer_files urls item" -- "$cur"))
		fi
		;;
	scan)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}
complete -o filenames -F _panoptes panoptes
