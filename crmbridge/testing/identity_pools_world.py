"""Name pools in non-Latin scripts and from Asia and Africa for the identity benchmark.

Cyrillic and Greek names are written natively and romanised per person
(:mod:`crmbridge.testing.identity_script`); Chinese, Japanese and Korean names are romanised
with their native form beside for the authors who write it.
"""

# ruff: noqa: RUF001  (names and cities in Cyrillic, Greek, Arabic and CJK script)

from __future__ import annotations

from crmbridge.testing.identity_pools import Culture, _groups, _native, _nick, _tail, _w

RUSSIAN = Culture(
    "russian",
    3.0,
    (("RU", 70), ("DE", 12), ("US", 8), ("GB", 5), ("CA", 5)),
    _w(
        "Александр Сергей Дмитрий Андрей Алексей Максим Евгений Иван Михаил Артём Никита "
        "Владимир Николай Павел Денис Игорь Олег Роман Юрий Виктор Антон Илья Кирилл Вадим "
        "Константин Егор Тимур Руслан Григорий Василий Фёдор Борис Леонид Анатолий Геннадий "
        "Валерий Степан Ярослав Даниил Глеб Матвей Станислав Вячеслав Аркадий"
    ),
    _w(
        "Елена Ольга Наталья Татьяна Ирина Светлана Анна Мария Екатерина Юлия Анастасия "
        "Марина Дарья Ксения Алина Виктория Полина Валентина Людмила Галина Надежда Вера "
        "Любовь Софья Елизавета Александра Кристина Евгения Оксана Вероника Маргарита "
        "Алёна Жанна Зоя Лариса Таисия Ульяна"
    ),
    _tail(
        _w(
            "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров "
            "Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев "
            "Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев "
            "Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев "
            "Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов "
            "Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов "
            "Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников "
            "Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин "
            "Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Быков "
            "Маслов Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев "
            "Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев "
            "Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов "
            "Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев "
            "Бирюков Горбунов Анисимов Достоевский Вишневский Зелинский Покровский Троицкий"
        ),
        "Бел Вол Гор Дуб Жар Зим Кам Лес Мал Мор Нос Рыб Сед Сух Тих Хлеб Чер Щук Берез "
        "Ворон Голов Жук Заруб Камен Кедр Лыс Медн Огнев Пест Полев Рябин Сокол Тумас Чижев",
        "ов ин ев ский аков ихин",
    ),
    _nick(
        "Александр:Саша,Шура,Sasha,Alex;Алексей:Алёша,Лёша,Lyosha;Дмитрий:Дима,Dima,"
        "Mitya;Михаил:Миша,Misha,Mike;Владимир:Вова,Володя,Vova,Volodya;Николай:Коля,"
        "Kolya,Nick;Сергей:Серёжа,Серый,Seryozha;Иван:Ваня,Vanya;Евгений:Женя,Zhenya;"
        "Павел:Паша,Pasha,Paul;Екатерина:Катя,Katya,Kate;Анастасия:Настя,Nastya,Stacy;"
        "Мария:Маша,Masha;Елена:Лена,Lena;Татьяна:Таня,Tanya;Наталья:Наташа,Natasha;"
        "Ольга:Оля,Olya;Юлия:Юля,Yulia;Ксения:Ксюша,Ksyusha;Анна:Аня,Anya;Дарья:Даша,"
        "Dasha;Светлана:Света,Sveta;Константин:Костя,Kostya;Максим:Макс,Max;Юрий:Юра,"
        "Yura;Виктория:Вика,Vika;Кирилл:Кира;Станислав:Стас,Stas;Вячеслав:Слава,Slava"
    ),
    _groups(
        "Aleksandr/Alexander/Alexandr/Aleksander;Sergei/Sergey/Sergej/Serguei;"
        "Dmitry/Dmitri/Dmitriy/Dimitri;Yuri/Yury/Iurii/Juri;Mikhail/Michail/Michael;"
        "Ekaterina/Yekaterina/Katerina/Catherine;Natalia/Natalya/Nataliya;"
        "Evgeny/Evgeniy/Yevgeny/Eugene;Tatiana/Tatyana/Tatjana"
    ),
    script="cyrillic",
    surname_q=10.0,
)

UKRAINIAN = Culture(
    "ukrainian",
    2.0,
    (("UA", 70), ("PL", 12), ("DE", 8), ("CA", 5), ("US", 5)),
    _w(
        "Олександр Андрій Сергій Володимир Дмитро Максим Іван Юрій Олег Тарас Богдан Михайло "
        "Віктор Микола Василь Петро Остап Ярослав Роман Віталій Євген Ігор Павло Степан "
        "Григорій Назар Денис Артем Олексій Святослав"
    ),
    _w(
        "Олена Наталія Тетяна Ірина Оксана Юлія Марія Анна Катерина Світлана Галина Людмила "
        "Олександра Софія Ганна Вікторія Дарина Соломія Христина Ольга Лілія Надія Віра "
        "Ярослава Богдана Мирослава Уляна Зоряна"
    ),
    _tail(
        _w(
            "Мельник Шевченко Коваленко Бондаренко Бойко Ткаченко Кравченко Коваль Олійник "
            "Шевчук Поліщук Ткачук Савченко Бондар Марченко Руденко Мороз Лисенко Петренко "
            "Клименко Павленко Кравчук Кузьменко Пономаренко Савчук Василенко Левченко "
            "Харченко Карпенко Гаврилюк Іваненко Романенко Головко Литвиненко Мазур "
            "Гончаренко Сидоренко Антоненко Приходько Мартинюк Юрченко Даниленко Тимошенко "
            "Семенко Костенко Яковенко Панченко Гуменюк Тарасенко Кириленко Ковальчук Демченко "
            "Мисник Остапенко Кравець Зінченко Федоренко Захарченко Швець Грищенко Гордієнко"
        ),
        "Бондар Гнат Дорош Заїк Кит Лук Мирон Нес Опан Присяж Сав Стець Тер Федор Хом Шульг "
        "Юрк Яцен Гриц Мусі Пилип Кость Вакар Гайд",
        "енко чук ук ишин ський",
    ),
    _nick(
        "Олександр:Сашко,Саша,Sasha;Андрій:Андрійко;Володимир:Вова,Volodya;Дмитро:Діма,"
        "Dima;Іван:Івась,Vanya;Юрій:Юрко,Yura;Тарас:Тарасик;Богдан:Бодя;Михайло:Михась,"
        "Misha;Микола:Коля,Kolya;Олена:Лена,Olenka;Наталія:Наташа,Natasha;Тетяна:Таня;"
        "Ірина:Іра,Ira;Оксана:Ксюша;Юлія:Юля;Катерина:Катя,Katya;Олексій:Льоша"
    ),
    _groups(
        "Oleksandr/Olexandr/Aleksandr/Alexander/Oleksander;Andriy/Andrii/Andrey/Andrew;"
        "Serhiy/Serhii/Sergiy/Sergey;Volodymyr/Vladimir/Wolodymyr;Dmytro/Dmitry/Dmitro;"
        "Mykola/Nikolai/Mikola;Mykhailo/Mikhail/Mychajlo;Olena/Elena/Helena;"
        "Shevchenko/Schewtschenko/Chevtchenko;Bohdan/Bogdan"
    ),
    script="cyrillic",
    surname_q=8.0,
)

GREEK = Culture(
    "greek",
    1.5,
    (("GR", 80), ("DE", 8), ("US", 7), ("AU", 5)),
    _w(
        "Γεώργιος Ιωάννης Κωνσταντίνος Δημήτριος Νικόλαος Παναγιώτης Βασίλειος Χρήστος "
        "Αθανάσιος Μιχαήλ Ευάγγελος Σπυρίδων Αντώνιος Αναστάσιος Θεόδωρος Ανδρέας "
        "Χαράλαμπος Αλέξανδρος Εμμανουήλ Ηλίας Σταύρος Πέτρος Παύλος Άγγελος Στέφανος"
    ),
    _w(
        "Μαρία Ελένη Αικατερίνη Βασιλική Σοφία Αγγελική Γεωργία Δήμητρα Κωνσταντίνα "
        "Παρασκευή Ευαγγελία Ιωάννα Χριστίνα Αναστασία Ειρήνη Θεοδώρα Αλεξάνδρα Δέσποινα "
        "Νικολέτα Φωτεινή"
    ),
    _tail(
        _w(
            "Παπαδόπουλος Παπαδάκης Παπανικολάου Γεωργίου Οικονόμου Νικολάου Παπαγεωργίου "
            "Βασιλείου Κωνσταντίνου Δημητρίου Ιωάννου Αθανασίου Πετρόπουλος Αλεξίου Μακρής "
            "Παππάς Χριστοδούλου Καραγιάννης Αντωνίου Ευαγγέλου Θεοδωρίδης Μαυρίδης Ζαχαρίου "
            "Κωστόπουλος Αναστασίου Σταματόπουλος Μιχαηλίδης Καλογεράκης Γεωργιάδης "
            "Νικολαΐδης Βλάχος Μπακάλης Σπυρόπουλος Τσακίρης Λαμπράκης Καραμανλής Παπανδρέου "
            "Δημόπουλος Αντωνόπουλος"
        ),
        "Αλεξ Βλαχ Γιαννακ Δημ Θεοδωρ Καλ Καρ Κυριακ Λαμπρ Μαυρ Ξεν Παντελ Σταυρ Τσαλ "
        "Φωτ Χατζ Ψαρ Ραφτ Κουτ Μαρκ",
        "όπουλος ίδης άκης άτος έας",
    ),
    _nick(
        "Γεώργιος:Γιώργος,George;Ιωάννης:Γιάννης,John;Κωνσταντίνος:Κώστας,Gus,Costa;"
        "Δημήτριος:Δημήτρης,Μήτσος,Jim;Νικόλαος:Νίκος,Nick;Παναγιώτης:Πάνος,Τάκης,Peter;"
        "Βασίλειος:Βασίλης,Bill;Χαράλαμπος:Μπάμπης,Harry;Σπυρίδων:Σπύρος;Αθανάσιος:"
        "Θανάσης,Tom;Αναστάσιος:Τάσος;Εμμανουήλ:Μανώλης,Manos;Αντώνιος:Αντώνης,Tony;"
        "Αικατερίνη:Κατερίνα,Kathy;Βασιλική:Βάσω,Vicky;Ειρήνη:Ρένα,Irene;Ελένη:Helen;"
        "Ευαγγελία:Λίτσα,Evi;Παρασκευή:Βούλα,Vivian"
    ),
    script="greek",
    surname_q=6.0,
)

CHINESE = Culture(
    "chinese",
    5.0,
    (("CN", 45), ("HK", 10), ("TW", 10), ("US", 15), ("GB", 7), ("CA", 8), ("AU", 5)),
    _w(
        "Wei Jun Hao Jie Lei Yang Ming Qiang Tao Bin Chao Gang Peng Hui Yong Xin Long Bo "
        "Jian Feng Zhiwei Jianguo Haoran Yuxuan Zihao Junjie Xiaoming Jianhua Zhiqiang "
        "Wenjie Yifan Chenxi Tianyu Haoyu Ruoxi"
    ),
    _w(
        "Fang Na Min Jing Li Yan Juan Xia Ping Ling Hong Yun Qian Xue Mei Hui Ying Lan Dan "
        "Xiuying Guiying Xiaoyan Xiaohong Jiayi Yuting Zixuan Yutong Xinyi Shuang Lina "
        "Wenjing Meiling Huimin Jiahui Yiting"
    ),
    _tail(
        _w(
            "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin "
            "Luo Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan "
            "Pan Cai Jiang Yu Du Ye Cheng Wei Su Lü Ding Ren Shen Yao Lu Jin Cui Zhong Tan "
            "Fan Wan Shi Qiu Qin Jia Xia Fu Fang Zou Xiong Bai Meng Qian Hou Kong Bao Yan "
            "Shao Long Wen Mo Hong Tao Mao Gu Lei Niu Qiao Ni Gong Yin Zhan Ouyang Situ "
            "Zhuge Shangguan"
        ),
        "",
        "",
        0,
    ),
    _nick(""),
    _groups(
        "Zhang/Chang/Cheung/Chiang;Wang/Wong/Ong;Chen/Chan/Chin/Tan;Li/Lee/Lei;"
        "Liu/Lau/Lew/Lao;Huang/Wong/Hwang/Ng;Zhou/Chow/Chou/Chau;Wu/Ng/Woo/Goh;"
        "Xu/Hsu/Tsui/Koh;Zhao/Chao/Chiu/Chew;Lin/Lam/Lim;Guo/Kuo/Kwok/Quek;He/Ho/Hoh;"
        "Ye/Yip/Yeh/Yap;Cai/Tsai/Choi/Chua;Zheng/Cheng/Cheang/Tay;Xie/Hsieh/Tse/Chia;"
        "Deng/Teng/Tang;Yang/Yeung/Yong/Yeo;Jiang/Chiang/Kong;Zhu/Chu/Choo;Luo/Lo/Law;"
        "Liang/Leung/Neo;Song/Sung;Gao/Kao/Ko;Ma/Mah/Beh;Zhiwei/Chih-wei/Chi Wai;"
        "Jun/Chun;Xiaoming/Hsiao-ming/Siu Ming;Jianguo/Chien-kuo;Xin/Hsin/Yan"
    ),
    _native(
        "Wang=王 Li=李 Zhang=张 Liu=刘 Chen=陈 Yang=杨 Huang=黄 Zhao=赵 Wu=吴 Zhou=周 "
        "Xu=徐 Sun=孙 Ma=马 Zhu=朱 Hu=胡 Guo=郭 He=何 Gao=高 Lin=林 Luo=罗 Zheng=郑 "
        "Liang=梁 Xie=谢 Song=宋 Tang=唐 Han=韩 Wei=伟 Jun=军 Hao=浩 Jie=杰 Lei=磊 "
        "Ming=明 Qiang=强 Tao=涛 Fang=芳 Na=娜 Min=敏 Jing=静 Yan=艳 Juan=娟 Xia=霞 "
        "Ping=平 Ling=玲 Hong=红 Xiuying=秀英 Guiying=桂英 Zhiwei=志伟 Jianguo=建国 "
        "Xiaoming=小明 Haoran=浩然 Yuxuan=宇轩 Jiayi=佳怡 Yuting=雨婷 Xinyi=欣怡"
    ),
    script="han",
    family_first=True,
    surname_q=1.5,
    english_names=0.3,
)

JAPANESE = Culture(
    "japanese",
    2.5,
    (("JP", 85), ("US", 10), ("GB", 5)),
    _w(
        "Hiroshi Takashi Kenji Makoto Takuya Daisuke Shōta Kenta Yūki Naoki Tetsuya Kazuya "
        "Ryō Haruto Sōta Yūto Minato Ren Kaito Shun Akira Hideo Kōji Masato Satoshi Tomoya "
        "Kazuki Yūsuke Shin'ichi Tarō Ichirō Jun Takumi Hayato Riku"
    ),
    _w(
        "Yōko Keiko Yumi Megumi Misaki Yui Aoi Sakura Hina Mei Yuna Akiko Tomoko Naoko Kumiko "
        "Mayumi Ayumi Emi Haruka Nanami Rina Saki Mai Kaori Yuka Noriko Sachiko Eri Asuka "
        "Miyu Rin Hana Yūko Kyōko Reiko"
    ),
    _tail(
        _w(
            "Satō Suzuki Takahashi Tanaka Itō Watanabe Yamamoto Nakamura Kobayashi Katō "
            "Yoshida Yamada Sasaki Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu "
            "Yamazaki Mori Abe Ikeda Hashimoto Yamashita Ishikawa Nakajima Maeda Fujita "
            "Ogawa Gotō Okada Hasegawa Murakami Kondō Ishii Saitō Sakamoto Endō Aoki Fujii "
            "Nishimura Fukuda Ōta Miura Fujiwara Okamoto Matsuda Nakagawa Nakano Harada Ono "
            "Tamura Takeuchi Kaneko Wada Nakayama Ishida Ueda Morita Hara Shibata Sakai Kudō "
            "Yokoyama Miyazaki Miyamoto Uchida Takagi Andō Taniguchi Ōno Maruyama Imai "
            "Takada Fujimoto Takeda Murata Ueno Sugiyama Masuda Sugawara Hirano Ōtsuka Chiba "
            "Kubo Matsui Iwasaki Sakurai Kinoshita Noguchi Matsuo Kikuchi Nomura Arai"
        ),
        "Yama Ta Naka Ishi Kawa Mori Matsu Fuji Taka Ki Kita Minami Nishi Higashi Kuro "
        "Shira Ao Oka Hara Ike Sugi Uchi Miya Kado Hira Hoshi Kane Tsuchi Ume",
        "moto da naka kawa mura shita guchi zaki hara no saki yama oka uchi be mori ta",
    ),
    _nick(
        "Takashi:Taka;Hiroshi:Hiro;Kenji:Ken;Yūki:Yuki;Shōta:Sho;Daisuke:Dai;Kazuya:Kaz;"
        "Megumi:Megu;Tomoko:Tomo;Haruka:Haru;Kaori:Kao;Akiko:Aki;Satoshi:Toshi"
    ),
    _groups(
        "Satō/Sato/Satou/Satoh;Itō/Ito/Itou/Itoh;Katō/Kato/Katou/Katoh;Gotō/Goto/Gotou/"
        "Gotoh;Saitō/Saito/Saitou/Saitoh;Kondō/Kondo/Kondou/Kondoh;Endō/Endo/Endou/Endoh;"
        "Ōta/Ota/Oota/Ohta;Ōno/Ono/Oono/Ohno;Kudō/Kudo/Kudou;Andō/Ando/Andou;Ōtsuka/"
        "Otsuka/Ootsuka/Ohtsuka;Shōta/Shota/Shouta;Yūki/Yuki/Yuuki;Ryō/Ryo/Ryou/Ryoh;"
        "Kōji/Koji/Kouji/Kohji;Yōko/Yoko/Youko/Yohko;Yūko/Yuko/Yuuko;Kyōko/Kyoko/Kyouko;"
        "Shin'ichi/Shinichi/Shin-ichi;Tarō/Taro/Tarou;Ichirō/Ichiro/Ichirou;Yūsuke/Yusuke/"
        "Yuusuke;Sōta/Sota/Souta;Yūto/Yuto/Yuuto"
    ),
    _native(
        "Satō=佐藤 Suzuki=鈴木 Takahashi=高橋 Tanaka=田中 Itō=伊藤 Watanabe=渡辺 "
        "Yamamoto=山本 Nakamura=中村 Kobayashi=小林 Katō=加藤 Yoshida=吉田 Yamada=山田 "
        "Sasaki=佐々木 Yamaguchi=山口 Matsumoto=松本 Inoue=井上 Kimura=木村 Hayashi=林 "
        "Shimizu=清水 Mori=森 Hiroshi=博 Takashi=隆 Kenji=健二 Makoto=誠 Takuya=拓也 "
        "Daisuke=大輔 Shōta=翔太 Kenta=健太 Naoki=直樹 Yōko=陽子 Keiko=恵子 Yumi=由美 "
        "Megumi=恵 Misaki=美咲 Sakura=さくら Akiko=明子 Tomoko=智子 Haruka=遥 Yui=結衣"
    ),
    script="han",
    family_first=True,
    surname_q=8.0,
    english_names=0.05,
)

KOREAN = Culture(
    "korean",
    2.5,
    (("KR", 85), ("US", 12), ("CA", 3)),
    _w(
        "Min-jun Seo-jun Do-yun Ji-hoon Hyun-woo Jae-won Sung-min Young-ho Jin-woo Dong-hyun "
        "Jun-ho Ji-ho Joon-young Sang-woo Tae-yang Woo-jin Jung-ho Kyung-soo Seung-hyun "
        "Byung-chul Chul-soo Dae-jung Hyun-jun Jae-hyun Min-ho"
    ),
    _w(
        "Seo-yeon Ji-woo Ha-eun Ye-jin Su-bin Ji-min Eun-ji Min-seo Soo-jin Hye-jin Ji-yeon "
        "Yoo-jin Da-eun Seo-hyun Ji-eun Min-ji Hae-won Na-yeon So-yeon Young-hee Mi-kyung "
        "Eun-young Hyun-jung Sun-hee Jung-eun"
    ),
    _w(
        "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song "
        "Jeon Hong Yoo Ko Moon Yang Son Bae Baek Heo Nam Noh Ha Kwak Sung Cha Joo Woo Koo "
        "Min Ryu Na Jin Ji Eom Byun Chae Won Chun Bang Kong Hyun Ham Yeo Choo Do So Seok "
        "Sun Seol Ma Gil Yeon Wi Pyo Myung Ki Ban Ra Wang Geum Ok Yook In Maeng Je Mo Tak "
        "Guk Nam-goong Hwang-bo Seon-woo Dok-go Je-gal"
    ),
    _nick(""),
    _groups(
        "Lee/Yi/Rhee/Rhie/I;Park/Pak/Bak/Bahk;Choi/Choe/Chey;Jung/Jeong/Chung/Joung;"
        "Kang/Gang;Cho/Jo/Joe;Yoon/Yun;Jang/Chang;Lim/Im/Rim/Lym;Seo/Suh/Sur;Shin/Sin/Shinn;"
        "Kwon/Gwon;Ahn/An;Jeon/Jun/Chun/Chon;Yoo/Yu/You/Ryu;Ko/Go/Koh;Moon/Mun;Son/Sohn;"
        "Bae/Pae;Baek/Paek/Baik;Heo/Hur/Huh;Noh/Roh/No;Joo/Ju/Chu;Woo/U;Koo/Gu/Ku;"
        "Min-jun/Minjun/Min Jun/Min-joon;Ji-hoon/Jihoon/Ji Hoon/Ji-hun;Hyun-woo/Hyunwoo/"
        "Hyeon-u/Hyun Woo;Seo-yeon/Seoyeon/Suh-yun/Seo Yeon;Young-ho/Youngho/Yeong-ho;"
        "Sung-min/Seong-min/Sungmin;Soo-jin/Sujin/Su-jin/Soo Jin;Eun-ji/Eunji/Eun Ji"
    ),
    _native(
        "Kim=김 Lee=이 Park=박 Choi=최 Jung=정 Kang=강 Cho=조 Yoon=윤 Jang=장 Lim=임 "
        "Han=한 Oh=오 Seo=서 Shin=신 Kwon=권 Hwang=황 Ahn=안 Song=송 Min-jun=민준 "
        "Seo-jun=서준 Ji-hoon=지훈 Hyun-woo=현우 Jae-won=재원 Sung-min=성민 Young-ho=영호 "
        "Jin-woo=진우 Dong-hyun=동현 Seo-yeon=서연 Ji-woo=지우 Ha-eun=하은 Ye-jin=예진 "
        "Su-bin=수빈 Ji-min=지민 Eun-ji=은지 Min-seo=민서 Soo-jin=수진 Hye-jin=혜진"
    ),
    script="hangul",
    family_first=True,
    surname_q=0.6,
    surname_s=1.25,
    english_names=0.25,
)

VIETNAMESE = Culture(
    "vietnamese",
    1.5,
    (("VN", 60), ("US", 20), ("FR", 10), ("AU", 5), ("DE", 5)),
    _w(
        "Anh Minh Huy Tuấn Dũng Hùng Nam Long Phúc Khoa Bảo Quang Thành Đức Hoàng Việt "
        "Trung Hiếu Khánh Tâm Thắng Sơn Hải Cường"
    ),
    _w(
        "Linh Trang Thảo Hương Lan Mai Hà Ngọc Hoa Phương Thu Hằng Nhung Yến Vy Nhi Châu "
        "Quỳnh Tuyết Thủy Hạnh Loan Diệp"
    ),
    _w(
        "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh "
        "Trịnh Đoàn Lâm Mai Tô Cao Lưu Quách Tạ Châu La Thái Kiều Âu Đào Hà Lương Tăng"
    ),
    _nick(""),
    _groups(
        "Nguyễn/Nguyen/Nguyên/Ngyuen/Win;Trần/Tran;Lê/Le;Phạm/Pham;Hoàng/Hoang/Huynh;"
        "Vũ/Vu/Võ/Vo;Đặng/Dang;Đỗ/Do;Ngô/Ngo;Dương/Duong;Đinh/Dinh"
    ),
    family_first=True,
    surname_q=0.0,
    surname_s=1.45,
    english_names=0.2,
)

INDIAN = Culture(
    "indian",
    5.0,
    (("IN", 70), ("GB", 12), ("US", 12), ("CA", 3), ("AE", 3)),
    _w(
        "Rahul Amit Rajesh Suresh Ramesh Sunil Anil Vijay Sanjay Deepak Manoj Ashok Arun "
        "Ravi Rakesh Ajay Vikram Arjun Aditya Rohan Karan Nikhil Varun Siddharth Abhishek "
        "Pradeep Srinivas Venkatesh Karthik Ganesh Mahesh Naveen Prakash Harish Gaurav "
        "Saurabh Ankit Vivek Manish Aarav Vihaan Krishna Subramanian Rajendra Mohammed "
        "Imran Farhan Arif Harpreet Gurpreet Jaspreet Manpreet"
    ),
    _w(
        "Priya Anjali Pooja Neha Sneha Kavya Divya Lakshmi Meera Sunita Anita Kavita Rekha "
        "Shweta Swati Aishwarya Deepika Nisha Ritu Shreya Ananya Aditi Isha Riya Sanjana "
        "Shalini Preeti Sapna Geeta Radha Saanvi Diya Ayesha Priyanka Harpreet Simran"
    ),
    _w(
        "Patel Sharma Singh Kumar Shah Gupta Reddy Rao Iyer Nair Menon Das Jain Mehta Desai "
        "Joshi Kulkarni Agarwal Chopra Malhotra Kapoor Bhat Pillai Chatterjee Banerjee "
        "Mukherjee Ghosh Bose Sen Verma Yadav Mishra Pandey Tiwari Srivastava Saxena Chauhan "
        "Thakur Rathore Chaudhary Khan Sheikh Ansari Qureshi Naidu Krishnan Subramaniam "
        "Venkataraman Raghavan Srinivasan Natarajan Ramasamy Balasubramanian Iyengar Hegde "
        "Shetty Kamath Pai Patil Pawar Jadhav Shinde Gaikwad Deshpande Apte Gokhale "
        "Bhattacharya Chakraborty Dutta Mitra Roy Sarkar Majumdar Ahluwalia Sethi Bedi Gill "
        "Sandhu Dhillon Grewal Sidhu Bajwa Arora Khanna Bhatia Anand Tandon Mathur Bhargava "
        "Trivedi Dubey Dwivedi Chaturvedi Pathak Shukla Bajpai Goswami Sinha Prasad Jha "
        "Thakkar Parekh Modi Gandhi Vyas Bhatt Soni Dave Pandya Raval Mistry Wadia Irani "
        "Kohli Dhawan Rana Negi Bisht Rawat Kaur Sodhi Walia Luthra Bakshi Chawla Kakkar "
        "Mahajan Nanda Oberoi Puri Suri Talwar Uppal Vohra Zaveri Acharya Bhandari "
        "Chandra Dixit Gowda Hiremath Jayaraman Kannan Lal Murthy Narayanan Omprakash "
        "Ponnusamy Rangarajan Sundaram Thangavel Udupa Vaidya Warrier "
        "Agnihotri Ahuja Arya Bhalla Bhasin Chadha Chandran Chari Deshmukh Dhingra Garg Ghai Goel "
        "Goyal Grover Hussain Iqbal Jaiswal Jindal Johar Juneja Kashyap Khurana Krishnamurthy "
        "Lamba Madan Malik Mangal Mehra Mehrotra Mittal Nagarajan Narang Nayar Ojha Padmanabhan "
        "Panchal Parmar Raman Ramachandran Ranganathan Rastogi Rathi Sachdev Sahni Sarin Sastry "
        "Seth Shankar Shroff Sood Swaminathan Taneja Thapar Upadhyay Varma Venkatesan Wadhwa "
        "Bandyopadhyay Chattopadhyay Gangopadhyay Haldar Lahiri Mondal Nandi Pal Saha Sanyal Basu "
        "Guha Kar Kundu Biswas Bhowmick Dasgupta Sengupta"
    ),
    _nick(
        "Venkatesh:Venky,Venkat;Srinivas:Srini,Cheenu;Subramanian:Subbu,Mani;Rajendra:Raju;"
        "Krishna:Kris,Kittu;Abhishek:Abhi;Siddharth:Sid;Aishwarya:Ash,Aishu;Lakshmi:Lucky;"
        "Vikram:Vicky;Rajesh:Raju,Raj;Priyanka:Pinky,Priya;Deepak:Deepu;Karthik:Karthi;"
        "Mohammed:Md,Mohd;Gurpreet:Gary;Harpreet:Harry;Jaspreet:Jas;Manpreet:Manny;"
        "Ananya:Anu;Nikhil:Nik;Varun:Vaaru;Shreya:Shrey;Kavya:Kavi;Rohan:Ro"
    ),
    _groups(
        "Lakshmi/Laxmi/Lakshmy;Mohammed/Mohd/Md/Muhammad;Chaudhary/Choudhury/Chowdhury/"
        "Chaudhari/Choudhary;Agarwal/Aggarwal/Agrawal;Srivastava/Shrivastava/Srivastav;"
        "Mukherjee/Mukherji/Mukerjee;Banerjee/Banerji/Bannerjee;Chatterjee/Chatterji;"
        "Bhattacharya/Bhattacharjee/Bhattacharyya;Subramanian/Subramaniam/Subramanyam;"
        "Srinivasan/Sreenivasan;Iyer/Aiyar/Ayyar;Reddy/Reddi;Pillai/Pillay;Shetty/Setty;"
        "Karthik/Karthick/Kartik;Sanjay/Sanjai;Vijay/Vijai"
    ),
    surname_q=6.0,
)

WEST_AFRICAN = Culture(
    "west_african",
    3.0,
    (("NG", 60), ("GH", 25), ("GB", 10), ("US", 5)),
    _w(
        "Chinedu Emeka Oluwaseun Adebayo Olumide Babatunde Oluwafemi Chukwuemeka Ikechukwu "
        "Obinna Segun Kunle Ibrahim Musa Abdullahi Usman Michael David Emmanuel Samuel "
        "Daniel John Joseph Godwin Victor Kwame Kofi Kwabena Kwaku Yaw Kojo Kwesi Nana "
        "Kweku Fiifi Ebo Chidi Tochukwu Olayinka Oluwadamilare"
    ),
    _w(
        "Ngozi Chiamaka Chioma Adaeze Nneka Funmilayo Folake Yetunde Temitope Oluwatobi "
        "Ifeoluwa Aisha Fatima Zainab Blessing Grace Precious Mercy Joy Faith Esther "
        "Akosua Ama Abena Adwoa Akua Efua Yaa Afia Olufunmilayo Oluwakemi Chinwe Uchechi"
    ),
    _w(
        "Okafor Adeyemi Okonkwo Eze Nwosu Adebayo Ogunleye Chukwu Obi Bello Abubakar "
        "Ibrahim Musa Mohammed Okeke Nwachukwu Okoro Oyelaran Adeleke Ogunbanjo Balogun "
        "Olawale Akinwale Afolabi Oladipo Oyewole Ogundipe Okoye Onyeka Uchenna Ekwueme "
        "Igwe Nnamdi Anyanwu Onuoha Ezeh Ojo Ajayi Adewale Fashola Soyinka Achebe Danjuma "
        "Lawal Suleiman Yusuf Aliyu Sani Mensah Asante Owusu Boateng Osei Agyeman Appiah "
        "Addo Darko Ofori Acheampong Amoah Ansah Bonsu Frimpong Gyamfi Kuffour Nkrumah "
        "Opoku Quaye Sarpong Tetteh Yeboah Adjei Annan Asamoah Badu Donkor Akande Alabi "
        "Babatunde Coker Davies Ebere Fagbemi Idowu Jegede Komolafe Makinde Nwankwo "
        "Obiora Odukoya Ogbonna Okorie Olatunji Omotayo Onwuka Oyebanji Salami Taiwo "
        "Umeh Williams Johnson "
        "Abiodun Adebanjo Adegoke Adeniyi Adesina Adetunji Agbaje Ajibola Akinola Amadi Asuquo "
        "Ayodele Babalola Chukwuma Dike Ebong Edet Effiong Egwu Ekpo Ezeani Falana Idris Iwu Kalu "
        "Madu Nwafor Nwogu Obasi Odeh Odili Ogbu Okon Okpara Olaniyan Oluwole Onu Osagie Udeh "
        "Ugwu Umar Uzor Agyei Amankwah Antwi Asare Boakye Danso Fosu Kyei Manu Nkansah Nyarko "
        "Obeng Oduro Ofosu Quarshie Sarfo Twumasi Wiredu Adomako Amponsah Baffour Dankwa Gyasi "
        "Kwarteng Mensa-Bonsu Ocran Owusu-Ansah Prempeh Sekyere"
    ),
    _nick(
        "Oluwaseun:Seun;Olumide:Mide;Chiamaka:Amaka,Chi;Oluwatobi:Tobi;Babatunde:Tunde;"
        "Oluwafemi:Femi;Temitope:Tope,Temi;Ifeoluwa:Ife;Chukwuemeka:Emeka;"
        "Oluwadamilare:Dami;Olufunmilayo:Funmi;Oluwakemi:Kemi;Chinedu:Nedu;Ikechukwu:"
        "Ike;Obinna:Obi;Adebayo:Bayo;Olayinka:Yinka;Kwabena:Kobby;Kwame:Kwams;"
        "Emmanuel:Emma,Manny;Godwin:Goddy;Chidi:Chi;Tochukwu:Tochi;Adaeze:Ada"
    ),
    _groups(
        "Mohammed/Muhammad/Mohammad;Abdullahi/Abdullah;Oluwaseun/Oluwasegun;"
        "Adeyemi/Adeyemy;Okonkwo/Okonko;Kwesi/Kwasi/Kweku;Eze/Ezeh"
    ),
    surname_q=8.0,
)

WORLD = (RUSSIAN, UKRAINIAN, GREEK, CHINESE, JAPANESE, KOREAN, VIETNAMESE, INDIAN, WEST_AFRICAN)

# Given names that people from these groups also use in English-speaking settings.
ENGLISH_GIVEN = {
    False: _w(
        "David Kevin Michael Jason Eric Tony Jack Kelvin Vincent Andy Peter Ken Alan Steven "
        "Daniel Ryan Brian Eddie Jimmy Henry Frank Terry Simon Patrick"
    ),
    True: _w(
        "Jenny Grace Vivian Cindy Amy Angela Helen Joyce Christine Wendy Irene Sophie Annie "
        "Tiffany Stella Cherry Crystal Iris Jessica Karen Lily Michelle Rachel Sharon"
    ),
}
